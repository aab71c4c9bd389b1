using System.Globalization;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.LoadTest;
using DistCacheAkka.Messages;

// Load generator: one workload against DistCacheAkka (through the ClientProxy), Redis standalone, Garnet and a Redis
// Cluster (all three through StackExchange.Redis) and a raw Akka.NET echo node, reporting ops/s and latency
// percentiles. bench/compare.sh starts the servers and runs the suite; see LoadOptions.Usage.
LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

if (options.Mode == "echo-server")
    return await EchoTarget.ServeAsync(options.EchoPort);
if (options.Mode is "coherence" or "hybrid-coherence")
{
    if (options.Seed is null)
    {
        Console.Error.WriteLine($"{options.Mode} needs --seed H:P (a DistCacheAkka node).");
        return 2;
    }

    var rounds = options.Operations > 0 ? (int)options.Operations : 200;
    return options.Mode == "coherence"
        ? await Coherence.RunAsync(options.Seed, rounds, Console.Out)
        : await HybridCoherence.RunAsync(options.Seed, rounds, Console.Out);
}

var keys = Enumerable.Range(0, options.Keys).Select(i => "key:" + i.ToString("D7", CultureInfo.InvariantCulture)).ToArray();
var value = new byte[options.ValueSize];
new Random(42).NextBytes(value);
var runner = new WorkloadRunner(keys, value, options.Warmup, options.Duration, options.Operations);
var results = new List<WorkloadResult>();

if (options.Mode == "run")
{
    await using var target = await Connect(options.Target is null or "distcache"
        ? options.NearCache == "on" ? "distcache-near" : options.Coalescing == "off" ? "distcache-uncoalesced" : "distcache"
        : options.Target);
    await Preload(target);
    foreach (var concurrency in options.Concurrency)
        results.Add(await Measure(target, new WorkloadSpec($"{options.ReadPercent}/{100 - options.ReadPercent} mix, {concurrency} clients",
            options.ReadPercent, concurrency, options.Consistency)));
    Report.PrintTable(results, Console.Out);
    return 0;
}

// Suite: every workload of issue #8, each target in turn, one table.
var getOne = new WorkloadSpec("Get, 1 client", 100, 1, ConsistencyLevel.Eventual);
var mixOne = new WorkloadSpec($"{options.ReadPercent}/{100 - options.ReadPercent} mix, 1 client", options.ReadPercent, 1, ConsistencyLevel.Eventual);
var mix64 = new WorkloadSpec($"{options.ReadPercent}/{100 - options.ReadPercent} mix, 64 clients", options.ReadPercent, 64, ConsistencyLevel.Eventual);
var quorumSet64 = new WorkloadSpec("Quorum Set, 64 clients", 0, 64, ConsistencyLevel.Quorum);
// Connect to and preload every target first (the cluster settles meanwhile), then run each workload on each target
// back to back, so the figures compared in a ratio are measured close together on this noisy machine.
var targets = new List<ILoadTarget>();
try
{
    var names = new List<string>();
    if (options.Seed is not null && options.Coalescing is "on" or "both")
        names.Add("distcache");
    if (options.Seed is not null && options.Coalescing is "off" or "both")
        names.Add("distcache-uncoalesced");
    if (options.Seed is not null && options.DataPlaneBoth)
        names.Add("distcache-remoting");
    if (options.Seed is not null && options.NearCache == "on")
        names.Add("distcache-near");
    if (options.Redis is not null)
        names.Add("redis");
    if (options.Garnet is not null)
        names.Add("garnet");
    if (options.RedisCluster is not null)
        names.Add("redis-cluster");
    if (options.Echo is not null)
        names.Add("akka-echo");
    foreach (var name in names)
    {
        if (name is null)
            continue;
        var target = await Connect(name);
        targets.Add(target);
        await Preload(target);
    }

    foreach (var spec in new[] { getOne, mixOne, mix64, quorumSet64 })
        foreach (var target in targets.OrderBy(t => t is EchoTarget ? 0 : t is RedisTarget ? 1 : t.Name.Length))
            if (target is not EchoTarget || spec == getOne || spec == mix64)
                results.Add(await Measure(target, spec));
}
finally
{
    foreach (var target in targets)
        await target.DisposeAsync();
}

Console.WriteLine();
Report.PrintTable(results, Console.Out);
Verdict.Print(results, getOne, mix64, quorumSet64, Console.Out);
return 0;

async Task<ILoadTarget> Connect(string target) => target switch
{
    "distcache" or "distcache-uncoalesced" or "distcache-near" or "distcache-remoting" => await DistCacheTarget.ConnectAsync(
        options.Seed ?? throw new ArgumentException("--seed is required for distcache."), coalescing: target != "distcache-uncoalesced",
        nearCacheEntries: target == "distcache-near" ? options.Keys : null,
        tls: options.TlsCertificate is { } certificate ? new DistCacheTlsOptions { CertificatePath = certificate, CaCertificatePath = options.TlsCa } : null,
        dataPlane: options.DataPlane && target != "distcache-remoting"),
    "redis" => await RedisTarget.ConnectAsync(options.Redis ?? throw new ArgumentException("--redis is required for redis."), "Redis", "redis"),
    "garnet" => await RedisTarget.ConnectAsync(options.Garnet ?? throw new ArgumentException("--garnet is required for garnet."), "Garnet", "garnet"),
    "redis-cluster" => await RedisTarget.ConnectAsync(
        options.RedisCluster ?? throw new ArgumentException("--redis-cluster is required for redis-cluster."), "Redis Cluster 3+3", "redis-cluster", cluster: true),
    _ => await EchoTarget.ConnectAsync(options.Echo ?? throw new ArgumentException("--echo is required for akka-echo."), options.ValueSize),
};

async Task Preload(ILoadTarget target)
{
    var started = DateTime.UtcNow;
    await target.PreloadAsync(keys, value);
    Console.Error.WriteLine($"{target.Name}: preloaded {keys.Length:N0} keys of {value.Length} bytes in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
}

async Task<WorkloadResult> Measure(ILoadTarget target, WorkloadSpec spec)
{
    var kind = target switch { DistCacheTarget => "distcache", RedisTarget redis => redis.Kind, _ => "akka-echo" };
    var near = target is DistCacheTarget { HasNearCache: true } withNear ? withNear : null;
    var nearBefore = near is null ? null : await near.NearCacheStatsAsync();
    var result = await runner.RunAsync(target, spec, new CpuMeter(options.Pids.GetValueOrDefault(kind, [])));
    if (near is not null && nearBefore is not null)
    {
        // Warm-up and measured phase together: the near cache fills during the warm-up.
        var after = await near.NearCacheStatsAsync();
        long hits = after.Hits - nearBefore.Hits, misses = after.Misses - nearBefore.Misses;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{target.Name,-17} {spec.Name,-24} near cache: {hits:N0} hits, {misses:N0} misses ({(hits + misses == 0 ? 0 : 100.0 * hits / (hits + misses)):0.0} % hits), {after.Invalidations - nearBefore.Invalidations:N0} invalidations, {after.Entries:N0} entries"));
    }
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{target.Name,-17} {spec.Name,-24} {spec.Level,-8} {result.OpsPerSecond,9:N0} ops/s  p50 {result.P50:0.000}  p99 {result.P99:0.000}  max {result.Max:0.0} ms  errors {result.Errors}  CPU/op client {result.ClientCpuMicrosPerOp:0} µs servers {result.ServerCpuMicrosPerOp:0} µs"));
    return result;
}
