//! Sweep arguments → a grid of cells: `key=a,b,c` is an axis, `seeds=N` repeats every cell
//! over N consecutive seeds, anything else is passed to every cell unchanged.

use anyhow::{anyhow, bail};

/// One grid axis: a key and the values it takes, in the order given.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// `encoder`, `decoder`, `task.trainer.n_epochs`, ...
    pub key: String,
    /// Raw values as typed.
    pub values: Vec<String>,
}

/// Parsed sweep arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// Arguments every cell gets.
    pub fixed: Vec<String>,
    /// Axes, first one outermost.
    pub axes: Vec<Axis>,
    /// `seeds=N`: each cell runs with seeds base..base+N (innermost).
    pub seeds: Option<usize>,
}

/// One configuration of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// Arguments for `eobench run`.
    pub args: Vec<String>,
    /// The axis assignments, e.g. `encoder=dofa protocol=frozen seed=235`.
    pub label: String,
}

/// Splits on commas outside `[...]`/`{...}` so `milestones=[0.5,0.8]` stays one value.
fn split_top_level(value: &str) -> Vec<String> {
    let (mut parts, mut current, mut depth) = (Vec::new(), String::new(), 0i32);
    for ch in value.chars() {
        match ch {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    parts.push(current);
    parts
}

/// Parses sweep arguments; refuses an empty grid and empty list items.
pub fn parse_grid(args: &[String]) -> anyhow::Result<Grid> {
    let mut grid = Grid {
        fixed: Vec::new(),
        axes: Vec::new(),
        seeds: None,
    };
    for arg in args {
        let Some((key, value)) = arg.split_once('=') else {
            grid.fixed.push(arg.clone());
            continue;
        };
        if key == "seeds" {
            let n: usize = value.parse().map_err(|_| {
                anyhow!("seeds={value}: expected a number of seeds per cell, e.g. seeds=3")
            })?;
            if n == 0 {
                bail!("seeds=0 makes the grid empty; use seeds=1 or more");
            }
            if grid.seeds.replace(n).is_some() {
                bail!("seeds= given twice");
            }
            continue;
        }
        let values = split_top_level(value);
        if values.len() == 1 {
            grid.fixed.push(arg.clone());
            continue;
        }
        if let Some(i) = values.iter().position(|v| v.trim().is_empty()) {
            bail!(
                "{key}={value}: item {} of the list is empty (a stray comma?)",
                i + 1
            );
        }
        if grid.axes.iter().any(|a| a.key == key) {
            bail!("{key} is given as a list twice; put all its values in one list");
        }
        grid.axes.push(Axis {
            key: key.to_string(),
            values: values.into_iter().map(|v| v.trim().to_string()).collect(),
        });
    }
    if grid.seeds.is_some() && grid.axes.iter().any(|a| a.key == "seed") {
        bail!("give either seeds=N or a seed=a,b,c list, not both");
    }
    Ok(grid)
}

impl Grid {
    /// Number of cells.
    pub fn len(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product::<usize>() * self.seeds.unwrap_or(1)
    }

    /// Every cell, first axis outermost, seeds innermost; `base_seed` is the seed the fixed
    /// arguments resolve to (`seed:` in the config, or `seed=` on the command line).
    pub fn cells(&self, base_seed: u64) -> Vec<Cell> {
        let mut combos: Vec<Vec<String>> = vec![Vec::new()];
        for axis in &self.axes {
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    axis.values.iter().map(move |v| {
                        let mut c = c.clone();
                        c.push(format!("{}={v}", axis.key));
                        c
                    })
                })
                .collect();
        }
        let seeds: Vec<Option<u64>> = match self.seeds {
            None => vec![None],
            Some(n) => (0..n as u64).map(|i| Some(base_seed + i)).collect(),
        };
        combos
            .into_iter()
            .flat_map(|combo| {
                seeds.iter().map(move |seed| {
                    let mut assigned = combo.clone();
                    if let Some(s) = seed {
                        assigned.push(format!("seed={s}"));
                    }
                    let mut args = self.fixed.clone();
                    args.extend(assigned.iter().cloned());
                    Cell {
                        label: if assigned.is_empty() {
                            self.fixed.join(" ")
                        } else {
                            assigned.join(" ")
                        },
                        args,
                    }
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn lists_become_axes_and_seeds_are_innermost() {
        let g = parse_grid(&args(&[
            "encoder=dofa,prithvi",
            "dataset=hlsburnscars",
            "protocol=frozen,finetune",
            "seeds=2",
        ]))
        .unwrap();
        assert_eq!(g.fixed, ["dataset=hlsburnscars"]);
        assert_eq!(g.len(), 8);
        let cells = g.cells(234);
        assert_eq!(cells.len(), 8);
        assert_eq!(
            cells[0].args,
            [
                "dataset=hlsburnscars",
                "encoder=dofa",
                "protocol=frozen",
                "seed=234"
            ]
        );
        assert_eq!(cells[1].label, "encoder=dofa protocol=frozen seed=235");
        assert_eq!(cells[2].label, "encoder=dofa protocol=finetune seed=234");
        assert_eq!(cells[7].label, "encoder=prithvi protocol=finetune seed=235");
    }

    #[test]
    fn bracketed_lists_stay_one_value() {
        let g = parse_grid(&args(&["task.lr_scheduler.milestones=[0.5,0.8]"])).unwrap();
        assert!(g.axes.is_empty());
        assert_eq!(g.len(), 1);
        let g = parse_grid(&args(&["task.lr_scheduler.milestones=[0.5,0.8],[0.6,0.9]"])).unwrap();
        assert_eq!(g.axes[0].values, ["[0.5,0.8]", "[0.6,0.9]"]);
    }

    #[test]
    fn bad_grids_are_refused_precisely() {
        let err = |a: &[&str]| parse_grid(&args(a)).unwrap_err().to_string();
        assert!(err(&["seeds=0"]).contains("empty"));
        assert!(err(&["seeds=x"]).contains("number of seeds"));
        assert!(err(&["encoder=dofa,,vit"]).contains("item 2 of the list is empty"));
        assert!(err(&["encoder=dofa,"]).contains("item 2"));
        assert!(err(&["seed=1,2", "seeds=2"]).contains("not both"));
        assert!(err(&["encoder=a,b", "encoder=c,d"]).contains("twice"));
    }

    #[test]
    fn no_lists_is_one_cell() {
        let g = parse_grid(&args(&["encoder=vit"])).unwrap();
        let cells = g.cells(1);
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].label, "encoder=vit");
    }
}
