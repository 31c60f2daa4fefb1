// Test fixture: the token is fake.
const GITHUB_TOKEN: &str = "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";

fn main() {
    println!("{}", GITHUB_TOKEN.len());
}
