using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(AmebaOta.Bench.FlashBenchmarks).Assembly).Run(args);
