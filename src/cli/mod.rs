//! Subcommands, one file each.

mod allocator;
mod bench;
mod configs_dir;
mod embed;
mod feature_cache;
mod info;
mod leaderboard;
mod list;
mod overlay;
mod plugin;
mod progress;
mod report;
mod run;
mod session;
mod sweep;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  eobench run                                   # UNet + UPerNet on the shipped synthetic sample
  eobench run encoder=vit decoder=seg_upernet dataset=hlsburnscars dataset.root=/data/hls_burn_scars task.trainer.n_epochs=80
  eobench run protocol=frozen seed=1 --print-config
  eobench list encoders
  eobench info seg_upernet
  eobench leaderboard";

/// Benchmark Earth-observation foundation models: every encoder, decoder and dataset is a
/// plugin, every run ends in a leaderboard row.
#[derive(Parser)]
#[command(name = "eobench", version, about, after_help = EXAMPLES)]
struct Cli {
    /// Config directory (default: ./configs if present, else the one of this eobench checkout).
    #[arg(long, global = true, env = "EOBENCH_CONFIGS")]
    configs: Option<PathBuf>,
    /// Load a plugin library (repeatable; also EOBENCH_PLUGIN_PATH and `plugins:` in
    /// config.yaml). Needs a binary built with --features dynamic-plugins.
    #[arg(long = "plugin", global = true, value_name = "LIB")]
    plugins: Vec<PathBuf>,
    /// Let plugin components replace built-in ones of the same name.
    #[arg(long, global = true)]
    allow_shadowing: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train and test one configuration and append its row to the leaderboard.
    #[command(
        after_help = "Arguments are `group=name` choices (encoder=vit) and dotted `key=value` overrides \
                            (task.trainer.n_epochs=16); `+key=value` adds a new key."
    )]
    Run {
        /// Print the resolved configuration and exit.
        #[arg(long)]
        print_config: bool,
        /// Skip (and never append a second row for) a config that already has an `ok` row.
        #[arg(long, hide = true)]
        once: bool,
        /// `group=name` choices and `key=value` overrides.
        args: Vec<String>,
    },
    /// Write per-sample encoder features of a split to a safetensors file.
    #[command(
        after_help = "Example: eobench embed encoder=vit dataset=hlsburnscars_sample split=test out=feats.safetensors"
    )]
    Embed {
        /// `split=train|val|test` (default test), `out=FILE`, choices and overrides.
        args: Vec<String>,
    },
    /// List registered components (encoders, decoders, datasets, criteria).
    List {
        /// Only this kind.
        kind: Option<String>,
    },
    /// Show a component's summary, origin and default config.
    Info {
        /// Component name, e.g. `vit` or `hlsburnscars`.
        name: String,
    },
    /// Render results/leaderboard.md from results/leaderboard.csv and print it.
    Leaderboard {
        /// Results directory.
        #[arg(long, default_value = "results")]
        results: PathBuf,
    },
    /// Run a grid of configurations (`key=a,b,c` lists, `seeds=N`); resumable.
    #[command(
        after_help = "Example: eobench sweep encoder=dofa,prithvi decoder=seg_fcn,seg_upernet protocol=frozen,finetune,random dataset=hlsburnscars seeds=3"
    )]
    Sweep {
        /// Print the grid and an estimated time, train nothing.
        #[arg(long)]
        dry_run: bool,
        /// Choices and overrides; a value with top-level commas is a grid axis.
        args: Vec<String>,
    },
    /// Throughput of an encoder + decoder on synthetic batches (img/s, GFLOP/s, peak memory).
    #[command(
        after_help = "Example: eobench bench encoder=vit decoder=seg_upernet batch=8 size=224 mode=all precision=fp32 repeats=5\nKeys: batch, size, precision=fp32|bf16, mode=infer|frozen|finetune|all, warmup, repeats, gflop_per_image, json=FILE; everything else is a config choice or override."
    )]
    Bench {
        /// Bench keys, choices and overrides.
        args: Vec<String>,
    },
    /// Write, build and check third-party plugin crates.
    Plugin {
        #[command(subcommand)]
        action: plugin::PluginAction,
    },
    /// Write results/report.md with tables and plots (SVG bars with CIs, curves, overlays).
    Report {
        /// Results directory.
        #[arg(long, default_value = "results")]
        results: PathBuf,
    },
}

/// A failure and its exit code: 2 for usage and configuration errors, 1 for failed runs.
pub struct Failure {
    code: u8,
    error: anyhow::Error,
}

impl Failure {
    /// Bad arguments or configuration (exit 2).
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: 2,
            error: error.into(),
        }
    }

    /// The run itself failed (exit 1).
    pub fn run(error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: 1,
            error: error.into(),
        }
    }

    /// The same failure, said to be about one sweep cell.
    pub fn context(self, cell: &str) -> Self {
        Self {
            code: self.code,
            error: self.error.context(format!("sweep cell `{cell}`")),
        }
    }
}

/// Entry point; also usable by third-party binaries that link extra plugins statically.
pub fn main() -> ExitCode {
    allocator::tune_malloc();
    let cli = Cli::parse();
    eobench_core::weights::set_download_progress(progress::DownloadBar::boxed);
    plugin::set_options(plugin::PluginOptions {
        libraries: cli.plugins.clone(),
        allow_shadowing: cli.allow_shadowing,
    });
    let result = match cli.command {
        Command::Run {
            print_config,
            once,
            args,
        } => run::run(cli.configs.as_deref(), &args, print_config, once),
        Command::Embed { args } => embed::embed(cli.configs.as_deref(), &args),
        Command::List { kind } => list::list(cli.configs.as_deref(), kind.as_deref()),
        Command::Info { name } => info::info(cli.configs.as_deref(), &name),
        Command::Leaderboard { results } => leaderboard::leaderboard(&results),
        Command::Sweep { dry_run, args } => sweep::sweep(cli.configs.as_deref(), &args, dry_run),
        Command::Report { results } => report::report(&results),
        Command::Bench { args } => bench::bench(cli.configs.as_deref(), &args),
        Command::Plugin { action } => plugin::plugin(cli.configs.as_deref(), action),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}
