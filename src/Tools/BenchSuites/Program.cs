using BenchmarkDotNet.Running;

// BenchmarkDotNet suites of the engine's hot paths (statistics, warm-up and outlier handling by BenchmarkDotNet);
// the side-by-side figures against scikit-learn come from `denseam bench` and bench/python/compare.py instead.
// Run: dotnet run -c Release --project src/Tools/BenchSuites -- --filter '*'   (or ./build.sh --target BenchSuites)
BenchmarkSwitcher.FromAssembly(typeof(DenseAm.BenchSuites.DistanceSuite).Assembly).Run(args);
