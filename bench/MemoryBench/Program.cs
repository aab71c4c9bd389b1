using DistCacheAkka.MemoryBench;

// Issue 12's benchmarks: bytes per entry against Redis, write throughput with eviction active and not, and the long
// version of the cluster scenario under a 384 MiB heap limit. bench/memory.sh starts the servers and runs all three;
// see BenchOptions.Usage.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

return options.Mode switch
{
    "per-entry" => await PerEntry.RunAsync(options),
    "eviction" => await EvictionThroughput.RunAsync(options),
    _ => await LongRun.RunAsync(options),
};
