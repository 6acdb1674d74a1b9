use fsdplan::solve::Clock;
fn main() {
    let path = std::env::args().nth(1).expect("path");
    let mut read = |p: &std::path::Path| std::fs::read_to_string(p);
    let loaded = match fsdplan::scenario::load(std::path::Path::new(&path), &mut read) {
        Ok(l) => l,
        Err(e) => {
            eprint!("{e}");
            std::process::exit(2);
        }
    };
    struct Wall(std::time::Instant);
    impl fsdplan::solve::Clock for Wall {
        fn elapsed_seconds(&self) -> f64 {
            self.0.elapsed().as_secs_f64()
        }
    }
    let clock = Wall(std::time::Instant::now());
    let relax = std::env::args().any(|a| a == "--relax");
    let opts = fsdplan::plan::PlanOptions { relax, ..Default::default() };
    let run = fsdplan::plan::plan(&loaded.scenario, opts, &fsdplan::solve::MicroLp, &clock);
    let r = run.report();
    eprintln!("{:?} obj {:?} bound {:?} gap {:?} size {:?} solves {} nodes {} t={:.3}", r.status, r.objective, r.bound, r.gap, r.model, r.solver.lp_solves, r.solver.nodes, clock.elapsed_seconds());
    for g in &r.gpus { if g.bought_nodes > 0.0 { eprintln!("{} {} {} {}", g.period, g.site, g.gpu, g.bought_nodes); } }
}
