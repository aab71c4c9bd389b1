using System.Diagnostics;
using Akka.Cluster;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Multinode.Support;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.Processes;

// A graceful leave of a real process under load: a seed and two workers as OS processes, four writers keep writing
// at Quorum (a bounded number of writes over a fixed key set), and one worker gets SIGTERM (coordinated shutdown:
// its shards are handed off with their entries, then it leaves and exits 0). A request may only be delayed or fail
// retriably (a client timeout, ConsistencyNotMet, or Unavailable from a shard still recovering), and the writers
// retry those; anything else fails the test. Afterwards every acknowledged write reads back with its last value.
// Every process is killed on dispose, also when the test fails.
public sealed class GracefulLeaveProcessSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly string _config = WriteConfig();
    private readonly List<NodeProcess> _processes = [];

    [Fact]
    public async Task Should_lose_no_acknowledged_write_when_a_worker_process_leaves_on_SIGTERM_under_load()
    {
        var seed = Start("seed", null);
        await seed.WaitListeningAsync(TimeSpan.FromSeconds(60));
        var worker1 = Start("worker", seed.Port);
        var worker2 = Start("worker", seed.Port);
        await Task.WhenAll(worker1.WaitListeningAsync(TimeSpan.FromSeconds(60)), worker2.WaitListeningAsync(TimeSpan.FromSeconds(60)));

        await using var client = await DistCacheClient.ConnectAsync(new DistCacheClientOptions
        {
            SeedNodes = [seed.Endpoint],
            ConnectTimeout = TimeSpan.FromSeconds(60),
            RequestTimeout = TimeSpan.FromSeconds(3),
            ExtraHocon = FailoverProcessSpecs.TestNodeHocon + "\nakka.loglevel = ERROR", // the nodes' SBR timings
        });
        var cluster = Cluster.Get(((IClientProxyAccess)client).System);
        await Eventually.HoldsAsync(() => cluster.State.Members.Count(m => m.Status == MemberStatus.Up && m.HasRole("cache")) == 3,
            TimeSpan.FromSeconds(60), "3 data nodes Up");
        await ShardReadiness.WaitAllAllocatedAsync(client);

        var acknowledged = new Dictionary<string, int>();
        var retried = new Dictionary<string, int>();
        var writes = 0;
        var clock = Stopwatch.StartNew();
        using var stopWriting = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stopWriting.IsCancellationRequested && i < 4_000 && clock.Elapsed < TimeSpan.FromSeconds(120); i++)
            {
                var key = $"leave:{w}:{i % 500}";
                while (true)
                {
                    try
                    {
                        await client.SetAsync(key, i, consistency: ConsistencyLevel.Quorum);
                        lock (acknowledged)
                            acknowledged[key] = i;
                        Interlocked.Increment(ref writes);
                        break;
                    }
                    catch (Exception e) when (e is DistCacheTimeoutException or DistCacheException { IsRetriable: true })
                    {
                        lock (retried) // retriable: write the same value again
                            retried[e.GetType().Name] = retried.GetValueOrDefault(e.GetType().Name) + 1;
                    }
                }
            }
        })).ToList();
        await Eventually.HoldsAsync(() => Volatile.Read(ref writes) >= 1_000, TimeSpan.FromSeconds(60), "the writers under way");
        var sigterm = clock.Elapsed;
        worker2.Terminate();
        Assert.Equal(0, await worker2.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var exited = clock.Elapsed;
        await Eventually.HoldsAsync(() => cluster.State.Members.All(m => m.Address.Port != worker2.Port),
            TimeSpan.FromSeconds(30), "the worker removed from the membership");
        var atExit = Volatile.Read(ref writes);
        await Eventually.HoldsAsync(() => Volatile.Read(ref writes) >= atExit + 1_000 || writers.All(t => t.IsCompleted),
            TimeSpan.FromSeconds(60), "writes to continue after the leave");
        stopWriting.Cancel();
        await Task.WhenAll(writers); // a non-retriable failure surfaces here

        Dictionary<string, int> expected;
        lock (acknowledged)
            expected = new Dictionary<string, int>(acknowledged);
        var lost = new List<string>();
        foreach (var chunk in expected.Keys.Chunk(500))
        {
            var read = await client.GetMultipleAsync<int>(chunk, ConsistencyLevel.Quorum);
            lost.AddRange(chunk.Where(k => !read.TryGetValue(k, out var v) || v != expected[k]));
        }

        output.WriteLine($"SIGTERM at {sigterm.TotalSeconds:0.0} s, exit 0 after {(exited - sigterm).TotalSeconds:0.0} s; " +
                         $"{writes} writes of {expected.Count} keys acknowledged ({atExit} when it exited); retried: {string.Join(", ", retried.Select(r => $"{r.Key} x{r.Value}"))}");
        Assert.True(lost.Count == 0, $"{lost.Count} of {expected.Count} acknowledged keys lost or stale, e.g. {string.Join(", ", lost.Take(5))}");
    }

    private NodeProcess Start(string role, int? seedPort)
    {
        var process = NodeProcess.StartNode(role, seedPort, _config);
        _processes.Add(process);
        return process;
    }

    private static string WriteConfig()
    {
        var path = Path.Combine(Path.GetTempPath(), $"distcache-test-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, FailoverProcessSpecs.TestNodeHocon);
        return path;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            output.WriteLine($"---- node on port {process.Port} (exited: {process.HasExited}) ----\n{process.Output}");
            process.Dispose();
        }

        File.Delete(_config);
    }
}
