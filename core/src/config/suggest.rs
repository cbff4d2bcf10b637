//! "Did you mean" suggestions for mistyped names, shared by config errors and the registry.

/// Returns the option closest to `candidate`, if one is close enough to be a plausible typo.
///
/// Closeness is the Damerau-Levenshtein (optimal string alignment) distance, compared
/// case-insensitively, so a swapped pair of letters counts as one edit. An option is only
/// offered when the distance is at most a third of the longer name (and at least 1), which
/// keeps short names from "matching" unrelated ones. Ties go to the earliest option.
pub fn suggest(candidate: &str, options: &[&str]) -> Option<String> {
    let cand: Vec<char> = candidate.to_lowercase().chars().collect();
    let mut best: Option<(usize, &str)> = None;
    for &option in options {
        let opt: Vec<char> = option.to_lowercase().chars().collect();
        let limit = (cand.len().max(opt.len()) / 3).max(1);
        let d = distance(&cand, &opt);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, option));
        }
    }
    best.map(|(_, o)| o.to_string())
}

/// Optimal string alignment distance: insertions, deletions, substitutions and adjacent
/// transpositions each cost one.
fn distance(a: &[char], b: &[char]) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=m).collect();
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}
