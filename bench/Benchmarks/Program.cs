using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(DistCacheAkka.Benchmarks.TelemetryBenchmarks).Assembly).Run(args);

/// <summary>Entry point type, named so BenchmarkSwitcher can find this assembly.</summary>
public partial class Program;
