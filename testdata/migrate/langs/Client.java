package example;

// Test fixture: the credentials are fake.
public class Client {
    static final String TOKEN = "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";

    public static void main(String[] args) {
        System.out.println(TOKEN.length());
    }
}
