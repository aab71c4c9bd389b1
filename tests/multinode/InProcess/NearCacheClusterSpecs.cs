using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Multinode.Support;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// The near cache against a real cluster (issue 15): two applications, each a client with its own near cache, on one
// 3-node cluster. Eventual reads are served locally once a value is cached; a write or removal by the other client
// reaches the holder's near cache through the nodes' invalidation feeds; a client reads its own writes at once; and a
// reader's values never go back in version while another client writes, and converge once writes stop.
public class NearCacheClusterSpecs
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private static NearCacheStats NearStats(IDistCacheClient client) => ((DistCacheClientImpl)client).NearCacheStats!;

    private static Func<DistCacheClientOptions, DistCacheClientOptions> WithNearCache =>
        options => options with { NearCache = new NearCacheOptions { MaxEntries = 1_000 }, DefaultConsistency = ConsistencyLevel.Eventual };

    [Fact]
    public async Task Should_serve_hits_locally_and_see_every_other_clients_change()
    {
        await using var cluster = await InProcessCluster.StartAsync(3);
        var reader = await cluster.ConnectClientAsync(WithNearCache);
        var writer = await cluster.ConnectClientAsync(WithNearCache);
        await writer.SetAsync("near:a", "one", consistency: ConsistencyLevel.Quorum);

        // Cached once the reader follows the key's shard (the feed's first snapshot): then reads are hits.
        await Eventually.HoldsAsync(async () => await reader.GetAsync<string>("near:a") == "one" && NearStats(reader).Hits > 0,
            Deadline, "a near-cache hit for near:a");
        var hits = NearStats(reader).Hits;
        Assert.Equal("one", await reader.GetAsync<string>("near:a"));
        Assert.Equal(hits + 1, NearStats(reader).Hits);
        Assert.Equal(1, NearStats(reader).Entries);

        // Quorum and Strong reads always go to the cluster.
        Assert.Equal("one", await reader.GetAsync<string>("near:a", ConsistencyLevel.Quorum));
        Assert.Equal(hits + 1, NearStats(reader).Hits);

        // Another application's write, then removal, reach this one's near cache.
        await writer.SetAsync("near:a", "two", consistency: ConsistencyLevel.Quorum);
        await Eventually.HoldsAsync(async () => await reader.GetAsync<string>("near:a") == "two", Deadline, "the reader sees the other client's write");
        await writer.RemoveAsync("near:a", ConsistencyLevel.Quorum);
        await Eventually.HoldsAsync(async () => await reader.GetAsync<string>("near:a") is null, Deadline, "the reader sees the other client's removal");
        Assert.True(NearStats(reader).Invalidations >= 2);

        // Read-your-writes: the reader's own write is what it reads next, never its older cached copy.
        await writer.SetAsync("near:b", "old", consistency: ConsistencyLevel.Quorum);
        await Eventually.HoldsAsync(async () =>
        {
            var before = NearStats(reader).Hits;
            return await reader.GetAsync<string>("near:b") == "old" && NearStats(reader).Hits > before;
        }, Deadline, "near:b cached by the reader");
        await reader.SetAsync("near:b", "mine", consistency: ConsistencyLevel.Quorum);
        Assert.Equal("mine", await reader.GetAsync<string>("near:b"));
    }

    [Fact]
    public async Task Should_never_go_back_in_version_under_concurrent_writers_and_converge_when_they_stop()
    {
        await using var cluster = await InProcessCluster.StartAsync(3);
        var writers = new[] { await cluster.ConnectClientAsync(), await cluster.ConnectClientAsync() };
        var readers = new[] { await cluster.ConnectClientAsync(WithNearCache), await cluster.ConnectClientAsync(WithNearCache) };
        const string key = "near:counter";
        await writers[0].SetAsync(key, 0, consistency: ConsistencyLevel.Quorum);

        // The writers take turns on one counter: value n is written only after n - 1 was acknowledged, so a larger
        // value is always a later write.
        const int last = 300;
        var next = 1;
        var gate = new SemaphoreSlim(1, 1);
        var writing = Task.WhenAll(writers.Select(async w =>
        {
            while (true)
            {
                await gate.WaitAsync();
                try
                {
                    if (next > last)
                        return;
                    await w.SetAsync(key, next, consistency: ConsistencyLevel.Quorum);
                    next++;
                }
                finally
                {
                    gate.Release();
                }
            }
        }));

        var regressions = new List<string>();
        var reading = Task.WhenAll(readers.Select(async (r, index) =>
        {
            var seen = 0;
            while (!writing.IsCompleted)
            {
                var value = await r.GetAsync<int>(key);
                if (value < seen)
                    lock (regressions)
                        regressions.Add($"reader {index}: {value} after {seen}");
                seen = Math.Max(seen, value);

                // A near-cache hit completes synchronously: without yielding, each reader would hold a pool thread in
                // a tight loop, and on a 2-core machine the three in-process nodes sharing that pool starved (their
                // heartbeats were sent 3 s late, backup acknowledgements missed the 3 s write timeout). A real
                // application's nodes run in their own processes; here the readers must leave the pool to them.
                await Task.Yield();
            }
        }));
        await Task.WhenAll(writing, reading);

        Assert.Empty(regressions);
        foreach (var reader in readers)
            await Eventually.HoldsAsync(async () => await reader.GetAsync<int>(key) == last, Deadline, "every reader converges to the last write");
        Assert.All(readers, r => Assert.True(NearStats(r).Hits > 0, "the readers were served from their near caches"));
    }
}
