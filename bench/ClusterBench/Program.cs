using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster.Sharding;
using DistCacheAkka.CacheNode.Demo;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;

// Write latency per consistency level on a real 3-node loopback cluster (CacheNode processes), one client with
// 64 requests in flight, for R = 2 and R = 3. Usage: dotnet run -c Release --project bench/ClusterBench [-- ops]
var opsPerLevel = args.Length > 0 ? int.Parse(args[0]) : 20_000;
const int Concurrency = 64;
var value = new byte[100];
Random.Shared.NextBytes(value);
var results = new List<(int R, ConsistencyLevel Level, double P50, double P99, double OpsPerSec)>();

foreach (var r in new[] { 2, 3 })
{
    var config = Path.Combine(Path.GetTempPath(), $"distcache-bench-{Guid.NewGuid():N}.conf");
    File.WriteAllText(config, $"""
        akka.loglevel = WARNING
        distcache.node.warm-up-min-data-nodes = 3
        distcache.replication-factor = {r}
        """);
    var processes = new List<Process>();
    try
    {
        var seedPort = FreePort();
        processes.Add(StartNode("seed", seedPort, null, config));
        processes.Add(StartNode("worker", FreePort(), seedPort, config));
        processes.Add(StartNode("worker", FreePort(), seedPort, config));
        await WaitListening(seedPort);
        await using var client = await DistCacheClient.ConnectAsync(new DistCacheClientOptions
        {
            SeedNodes = [$"127.0.0.1:{seedPort}"],
            ConnectTimeout = TimeSpan.FromSeconds(60),
            RequestTimeout = TimeSpan.FromSeconds(10),
            ExtraHocon = "akka.loglevel = OFF\nakka.stdout-loglevel = OFF",
        });
        await WaitForAllShards((IClientProxyAccess)client);

        foreach (var level in new[] { ConsistencyLevel.Eventual, ConsistencyLevel.Quorum, ConsistencyLevel.Strong })
        {
            await Run(client, level, 2_000, value); // warm-up
            var (latencies, elapsed) = await Run(client, level, opsPerLevel, value);
            latencies.Sort();
            results.Add((r, level, Percentile(latencies, 50), Percentile(latencies, 99), opsPerLevel / elapsed.TotalSeconds));
            Console.Error.WriteLine($"R={r} {level}: p50 {Percentile(latencies, 50):0.000} ms, p99 {Percentile(latencies, 99):0.000} ms");
        }
    }
    finally
    {
        foreach (var p in processes)
        {
            if (!p.HasExited)
                p.Kill(entireProcessTree: true);
            p.WaitForExit(10_000);
            p.Dispose();
        }

        File.Delete(config);
    }
}

Console.WriteLine($"| R | level | p50 ms | p99 ms | ops/s | p50 / Eventual p50 |");
Console.WriteLine($"|---|---|---:|---:|---:|---:|");
foreach (var row in results)
{
    var eventual = results.Single(x => x.R == row.R && x.Level == ConsistencyLevel.Eventual).P50;
    Console.WriteLine($"| {row.R} | {row.Level} | {row.P50:0.000} | {row.P99:0.000} | {row.OpsPerSec:N0} | {row.P50 / eventual:0.00}x |");
}

return 0;

static async Task<(List<double> Latencies, TimeSpan Elapsed)> Run(IDistCacheClient client, ConsistencyLevel level, int ops, byte[] value)
{
    var latencies = new List<double>(ops);
    var next = -1;
    var total = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
    {
        var mine = new List<double>();
        int i;
        while ((i = Interlocked.Increment(ref next)) < ops)
        {
            var sw = Stopwatch.StartNew();
            await client.SetBytesAsync($"bench:{level}:{i % 10_000}", value, CacheExpiry.Never, level);
            mine.Add(sw.Elapsed.TotalMilliseconds);
        }

        lock (latencies)
            latencies.AddRange(mine);
    }));
    return (latencies, total.Elapsed);
}

static double Percentile(List<double> sorted, double p) =>
    sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

static int FreePort() => LoopbackPorts.Free();

static Process StartNode(string role, int port, int? seed, string config)
{
    var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet")
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "DistCacheAkka.CacheNode.dll"), "--role", role, "--port", port.ToString(), "--mgmt-port", "0", "--config", config })
        info.ArgumentList.Add(a);
    if (seed is { } s)
    {
        info.ArgumentList.Add("--seed");
        info.ArgumentList.Add($"127.0.0.1:{s}");
    }

    var process = Process.Start(info)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, _) => { };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static async Task WaitListening(int port)
{
    for (var i = 0; i < 600; i++)
    {
        try
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync(IPAddress.Loopback, port);
            return;
        }
        catch (SocketException)
        {
            await Task.Delay(100);
        }
    }

    throw new TimeoutException($"Nothing listens on port {port} after 60 s.");
}

static async Task WaitForAllShards(IClientProxyAccess access)
{
        for (var i = 0; i < 300; i++)
    {
        var topology = await access.GetTopologyAsync();
        if (topology.Owners.Count == 1024)
            return;
        await Task.Delay(200);
    }

    throw new TimeoutException("Shards were not all allocated within 60 s.");
}
