//! `keysweep man`: one roff manual page of every command and flag, generated from the clap
//! definitions (`man -l <(keysweep man)`).
//!
//! clap_mangen writes one page per command; a single page is easier to install and to read,
//! so the page of the top command is followed by a section per subcommand, whose own
//! sections become subsections.

use crate::cli::Cli;
use anyhow::Result;
use clap::CommandFactory;
use clap_mangen::Man;
use std::io::Write;

pub fn run() -> Result<i32> {
    let page = render()?;
    let mut out = std::io::stdout().lock();
    out.write_all(&page)?;
    out.flush()?;
    Ok(crate::exit::CLEAN)
}

/// The whole page, in roff.
pub fn render() -> std::io::Result<Vec<u8>> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    // Fills in each subcommand's full name (`keysweep baseline create`) for its synopsis.
    cmd.build();
    // The date must be given: an empty one shifts the other `.TH` fields.
    let top = Man::new(cmd.clone())
        .title("KEYSWEEP")
        .date(env!("KEYSWEEP_COMMIT_DATE"))
        .manual("keysweep manual");
    let mut page = Vec::new();
    top.render_title(&mut page)?;
    top.render_name_section(&mut page)?;
    top.render_synopsis_section(&mut page)?;
    top.render_description_section(&mut page)?;
    top.render_options_section(&mut page)?;
    top.render_subcommands_section(&mut page)?;
    let mut subcommands = Vec::new();
    collect(&cmd, &mut subcommands);
    for sub in subcommands {
        let name = sub.get_bin_name().unwrap_or(sub.get_name()).to_uppercase();
        writeln!(page, ".SH \"{}\"", name.replace('"', ""))?;
        let man = Man::new(sub.clone());
        let mut body = Vec::new();
        man.render_synopsis_section(&mut body)?;
        man.render_description_section(&mut body)?;
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut body)?;
        }
        if sub.has_subcommands() {
            man.render_subcommands_section(&mut body)?;
        }
        page.extend(demote_sections(&body));
    }
    // The exit codes (after_help) and the version close the page.
    top.render_extra_section(&mut page)?;
    top.render_version_section(&mut page)?;
    Ok(tidy(&page))
}

/// clap_mangen puts `.br` on both sides of the empty line before a list of possible values,
/// which `mandoc -T lint` flags (a break next to a paragraph space does nothing): one `.sp`
/// says the same.
fn tidy(roff: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(roff)
        .replace("\n.br\n\n.br\n", "\n.sp\n")
        .replace("\n\n.br\n", "\n.sp\n")
        .into_bytes()
}

/// Every visible subcommand below `cmd`, depth first, parents before their children.
fn collect(cmd: &clap::Command, out: &mut Vec<clap::Command>) {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        out.push(sub.clone());
        collect(sub, out);
    }
}

/// `.SH` headings of a subcommand's sections become `.SS`, under the subcommand's `.SH`.
fn demote_sections(roff: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(roff);
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        match line.strip_prefix(".SH ") {
            Some(rest) => {
                out.push_str(".SS ");
                out.push_str(rest);
            }
            None => out.push_str(line),
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_has_a_section_for_every_command_and_names_every_flag() {
        let page = String::from_utf8(render().unwrap()).unwrap();
        assert_eq!(page.matches(".TH ").count(), 1, "one page");
        for section in [
            "KEYSWEEP SCAN",
            "KEYSWEEP RULES LIST",
            "KEYSWEEP BASELINE CREATE",
            "KEYSWEEP COMPLETIONS",
            "KEYSWEEP MAN",
        ] {
            assert!(page.contains(&format!(".SH \"{section}\"")), "{section}");
        }
        for flag in [
            "stdin\\-name",
            "max\\-file\\-size",
            "color",
            "all\\-locations",
        ] {
            assert!(page.contains(&format!("\\-\\-{flag}")), "--{flag}");
        }
    }

    #[test]
    fn breaks_around_a_paragraph_space_become_the_space() {
        assert_eq!(tidy(b"a\n.br\n\n.br\nb\n"), b"a\n.sp\nb\n");
        assert_eq!(tidy(b"a\n\n.br\nb\n"), b"a\n.sp\nb\n");
    }

    #[test]
    fn only_section_headings_are_demoted() {
        let out = demote_sections(b".SH OPTIONS\n.TP\ntext .SH inside\n");
        assert_eq!(out, b".SS OPTIONS\n.TP\ntext .SH inside\n");
    }
}
