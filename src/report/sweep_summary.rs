//! The summary of a sweep's findings, printed the same by `keysweep sweep` and by `keysweep
//! merge` of its shards: how many findings in how many repositories, then each value found
//! in more than one repository ("the same value leaked in 7 repositories", the line an
//! org-wide sweep is run for). Values are grouped by their keyed hash (`value_group`),
//! never by the value; the line names the rule and the group (its first 12 hex digits), which
//! the records carry as `value_group`, so the findings of one value can be looked up.

use std::collections::{BTreeMap, BTreeSet};

/// What the summary needs of one finding (from a finding or from a merged record).
pub struct Item<'a> {
    pub repository: &'a str,
    pub value_group: Option<&'a str>,
    pub rule_id: &'a str,
}

/// Values listed by name; the rest are counted.
const LISTED_VALUES: usize = 10;
/// Repositories named on one value's line; the rest are counted.
const LISTED_REPOSITORIES: usize = 5;

/// The summary lines, each starting with `keysweep: `.
pub fn lines(items: &[Item<'_>]) -> Vec<String> {
    let repos: BTreeSet<&str> = items.iter().map(|i| i.repository).collect();
    let n = items.len();
    let mut out = vec![format!(
        "keysweep: {n} finding{} in {} repositor{}",
        if n == 1 { "" } else { "s" },
        repos.len(),
        if repos.len() == 1 { "y" } else { "ies" }
    )];
    // value group -> (repositories, (the least rule id seen, the group))
    let mut groups: BTreeMap<&str, (BTreeSet<&str>, (&str, &str))> = BTreeMap::new();
    for i in items {
        if let Some(g) = i.value_group {
            let e = groups
                .entry(g)
                .or_insert_with(|| (BTreeSet::new(), (i.rule_id, g)));
            e.0.insert(i.repository);
            e.1 .0 = e.1 .0.min(i.rule_id);
        }
    }
    let mut shared: Vec<(&BTreeSet<&str>, (&str, &str))> = groups
        .values()
        .filter(|(r, _)| r.len() > 1)
        .map(|(r, what)| (r, *what))
        .collect();
    // Most repositories first; ties by rule, then by the repositories (stable).
    shared.sort_by(|a, b| {
        b.0.len()
            .cmp(&a.0.len())
            .then(a.1.cmp(&b.1))
            .then(a.0.cmp(b.0))
    });
    for (repos, (rule, group)) in shared.iter().take(LISTED_VALUES) {
        let group = &group[..group.len().min(12)];
        let named: Vec<&str> = repos.iter().take(LISTED_REPOSITORIES).copied().collect();
        let more = repos.len().saturating_sub(LISTED_REPOSITORIES);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        out.push(format!(
            "keysweep: the same value leaked in {} repositories: {rule} value {group} in {}{tail}",
            repos.len(),
            named.join(", ")
        ));
    }
    if shared.len() > LISTED_VALUES {
        out.push(format!(
            "keysweep: {} more values are in more than one repository",
            shared.len() - LISTED_VALUES
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_in_several_repositories_gets_its_line() {
        let item = |repository, value_group| Item {
            repository,
            value_group: Some(value_group),
            rule_id: "aws-access-key-id",
        };
        let items = [
            item("a", "0123456789abcdef"),
            item("b", "0123456789abcdef"),
            item("c", "0123456789abcdef"),
            item("c", "fedcba9876543210"),
        ];
        let l = lines(&items);
        assert_eq!(l[0], "keysweep: 4 findings in 3 repositories");
        assert_eq!(
            l[1],
            "keysweep: the same value leaked in 3 repositories: aws-access-key-id value 0123456789ab in a, b, c"
        );
        assert_eq!(l.len(), 2);
    }
}
