using System.Diagnostics;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Multinode.Support;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// A graceful leave under a steady write load: one of three nodes runs coordinated shutdown (its shards are handed
// off with their entries) while a writer keeps writing at Quorum. Requests in flight during the handoff may only be
// delayed or fail retriably (a timeout, or Unavailable from a shard still recovering), which the writer retries;
// every acknowledged write must read back.
public class GracefulLeaveSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task Should_lose_no_acknowledged_write_when_a_node_leaves_under_load()
    {
        await using var cluster = await InProcessCluster.StartAsync(3, "distcache.operation-timeout = 2s");
        await ReplicationClusterSpecs.AwaitSettledAsync(cluster);
        var client = await cluster.ConnectClientAsync(o => o with { RequestTimeout = TimeSpan.FromSeconds(3) });
        var acknowledged = new Dictionary<string, int>();
        var retries = 0;
        var clock = Stopwatch.StartNew();
        using var stopWriting = new CancellationTokenSource();

        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stopWriting.IsCancellationRequested && i < 2_000 && clock.Elapsed < TimeSpan.FromSeconds(60); i++)
            {
                var key = $"leave:{w}:{i % 300}";
                while (true)
                {
                    try
                    {
                        await client.SetAsync(key, i, consistency: ConsistencyLevel.Quorum);
                        lock (acknowledged)
                            acknowledged[key] = i;
                        break;
                    }
                    catch (Exception e) when (e is DistCacheTimeoutException or DistCacheException { IsRetriable: true })
                    {
                        Interlocked.Increment(ref retries); // retriable: write the same value again
                    }
                }
            }
        })).ToList();

        await Eventually.HoldsAsync(() => { lock (acknowledged) return acknowledged.Count > 500; }, TimeSpan.FromSeconds(30), "the writers under way");
        var leaving = cluster.Nodes[2];
        await cluster.StopNodeAsync(leaving);
        output.WriteLine($"node left after {clock.Elapsed.TotalSeconds:0.0} s");
        await Eventually.HoldsAsync(() => { lock (acknowledged) return acknowledged.Count > 1_500; }, TimeSpan.FromSeconds(30), "writes to continue after the leave");
        stopWriting.Cancel();
        await Task.WhenAll(writers);

        Dictionary<string, int> expected;
        lock (acknowledged)
            expected = new Dictionary<string, int>(acknowledged);
        var lost = new List<string>();
        foreach (var chunk in expected.Keys.Chunk(500))
        {
            var read = await client.GetMultipleAsync<int>(chunk, ConsistencyLevel.Quorum);
            lost.AddRange(chunk.Where(k => !read.TryGetValue(k, out var v) || v != expected[k]));
        }

        output.WriteLine($"{expected.Count} keys acknowledged, {retries} retried requests");
        Assert.True(lost.Count == 0, $"{lost.Count} of {expected.Count} acknowledged keys lost or stale, e.g. {string.Join(", ", lost.Take(5))}");
    }
}
