using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using DistCacheAkka.CacheNode.Hosting;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Tests.Multinode.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DistCacheAkka.Tests.Multinode.InProcess;

/// <summary>One 3-data-node cluster plus a client, shared by the specs of <see cref="DataPathClusterSpecs"/>.</summary>
public sealed class ThreeNodeClusterFixture : IAsyncLifetime
{
    public InProcessCluster Cluster { get; private set; } = null!;

    public IDistCacheClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // 256 shards, so a 1,000-key batch can be built to touch every shard.
        Cluster = await InProcessCluster.StartAsync(3, "distcache.shards = 256");
        Client = await Cluster.ConnectClientAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

// The data path end to end on a real 3-node cluster over loopback TCP with a ClientProxy client: bulk writes and
// reads, batches across every shard, TTL expiry, removal, routing agreement between nodes, and KeyInvalidated
// events. Each spec uses its own key prefix, so specs sharing the cluster do not interfere.
public class DataPathClusterSpecs(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private IDistCacheClient Client => fixture.Client;

    [Fact]
    public async Task Should_set_and_read_back_10000_keys()
    {
        var keys = Enumerable.Range(0, 10_000).Select(i => $"bulk:{i}").ToList();

        await ForEachAsync(keys, 64, key => Client.SetAsync(key, new Payload(key, key.Length)));
        var wrong = new List<string>();
        await ForEachAsync(keys, 64, async key =>
        {
            var value = await Client.GetAsync<Payload>(key);
            if (value != new Payload(key, key.Length))
                lock (wrong)
                    wrong.Add(key);
        });

        Assert.Empty(wrong);
    }

    [Fact]
    public async Task Should_set_and_get_1000_keys_in_batches_spanning_every_shard()
    {
        var resolver = new ShardResolver(fixture.Cluster.Settings.Shards);
        var keys = KeysCoveringEveryShard(resolver, "batch:", 1000);
        var values = keys.ToDictionary(k => k, k => k.ToUpperInvariant());

        await Client.SetMultipleAsync(values);
        var read = await Client.GetMultipleAsync<string>(keys.Append("batch:absent"));

        Assert.Equal(resolver.Shards, keys.Select(resolver.ShardOf).Distinct().Count());
        Assert.Equal(values.Count, read.Count);
        Assert.All(values, kv => Assert.Equal(kv.Value, read[kv.Key]));
        Assert.False(read.ContainsKey("batch:absent"));
    }

    [Fact]
    public async Task Should_expire_a_key_after_its_ttl()
    {
        await Client.SetAsync("ttl:short", "soon gone", TimeSpan.FromMilliseconds(800));
        await Client.SetAsync("ttl:long", "stays", TimeSpan.FromMinutes(10));
        Assert.Equal("soon gone", await Client.GetAsync<string>("ttl:short"));

        await Eventually.HoldsAsync(async () => await Client.GetAsync<string>("ttl:short") is null,
            TimeSpan.FromSeconds(10), "ttl:short to expire");
        Assert.Equal("stays", await Client.GetAsync<string>("ttl:long"));
    }

    [Fact]
    public async Task Should_remove_a_key()
    {
        await Client.SetAsync("rm:key", 7);

        Assert.True(await Client.RemoveAsync("rm:key"));
        Assert.Equal(0, await Client.GetAsync<int>("rm:key"));
        Assert.Null(await Client.GetBytesAsync("rm:key"));
        Assert.False(await Client.RemoveAsync("rm:key"));
    }

    [Fact]
    public async Task Should_route_every_shard_to_the_same_owner_from_every_node()
    {
        var nodes = fixture.Cluster.Nodes.ToList();
        var shards = fixture.Cluster.Settings.Shards;
        var keys = KeysCoveringEveryShard(new ShardResolver(shards), "route:", shards);
        await Client.SetMultipleAsync(keys.ToDictionary(k => k, k => 1));

        // Ground truth: which node actually hosts each shard (each node reports its local shards).
        var hostedBy = new Dictionary<string, Address>();
        foreach (var node in nodes)
        {
            var region = node.Services.GetRequiredService<ActorRegistry>().Get<DistCacheRegion>();
            var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
            foreach (var shard in state.Shards)
                Assert.True(hostedBy.TryAdd(shard.ShardId, Akka.Cluster.Cluster.Get(InProcessCluster.SystemOf(node)).SelfAddress),
                    $"shard {shard.ShardId} is hosted twice");
        }

        Assert.Equal(shards, hostedBy.Count);
        foreach (var node in nodes)
        {
            // Every node's own settings map every key to the same shard...
            var resolver = new ShardResolver(node.Services.GetRequiredService<Messages.Settings.DistCacheSettings>().Shards);
            Assert.All(keys, k => Assert.Equal(new ShardResolver(shards).ShardOf(k), resolver.ShardOf(k)));

            // ...and a request sent through that node's region reaches the shard's one owner (a wrong shard would answer WrongShard).
            var region = node.Services.GetRequiredService<ActorRegistry>().Get<DistCacheRegion>();
            var replies = await Task.WhenAll(keys.Select(k => region.Ask<IGetResponse>(new Get(k), TimeSpan.FromSeconds(10))));
            Assert.All(replies, r => Assert.IsType<GetSuccess>(r));
            var self = Akka.Cluster.Cluster.Get(InProcessCluster.SystemOf(node)).SelfAddress;
            var locations = await Task.WhenAll(Enumerable.Range(0, shards).Select(s =>
                region.Ask<EntityLocation>(new GetEntityLocation(s.ToString(), TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(10))));
            Assert.All(locations, l => Assert.Equal(hostedBy[l.ShardId], l.ShardRegion.HasLocalScope ? self : l.ShardRegion));
        }

        var perNode = hostedBy.Values.GroupBy(a => a).Select(g => g.Count()).ToList();
        Assert.Equal(3, perNode.Count);
        Assert.All(perNode, count => Assert.InRange(count, shards / 3, (shards / 3) + 1));
    }

    [Fact]
    public async Task Should_deliver_KeyInvalidated_for_a_removed_key()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<KeyInvalidated>();
        var listening = Task.Run(async () =>
        {
            await foreach (var evt in Client.SubscribeAsync(CacheEventFilter.Of(CacheEventKind.KeyInvalidated) with { KeyPrefixes = ["events:"] }, cts.Token))
            {
                lock (received)
                    received.Add((KeyInvalidated)evt);
                if (evt is KeyInvalidated { Reason: InvalidationReason.Removed })
                    return;
            }
        }, cts.Token);

        // The subscription reaches the data nodes by pub-sub gossip; keep removing fresh keys until one is reported.
        var attempt = 0;
        await Eventually.HoldsAsync(async () =>
        {
            var key = $"events:{attempt++}";
            await Client.SetAsync(key, "x");
            await Client.RemoveAsync(key);
            return listening.IsCompleted;
        }, TimeSpan.FromSeconds(20), "a KeyInvalidated(Removed) event");

        await listening;
        lock (received)
            Assert.Contains(received, e => e.Reason == InvalidationReason.Removed && e.Key.StartsWith("events:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_refuse_to_connect_with_a_clear_error_when_no_seed_answers()
    {
        var e = await Assert.ThrowsAsync<DistCacheConnectionException>(() => DistCacheClient.ConnectAsync(new DistCacheClientOptions
        {
            SeedNodes = ["127.0.0.1:1"],
            ConnectTimeout = TimeSpan.FromSeconds(2),
            ExtraHocon = "akka.loglevel = OFF",
        }));

        Assert.Contains("127.0.0.1:1", e.Message);
        Assert.Contains("Could not reach the cluster", e.Message);
    }

    internal static List<string> KeysCoveringEveryShard(ShardResolver resolver, string prefix, int count)
    {
        var keys = new List<string>(count);
        var covered = new HashSet<int>();
        for (var i = 0; covered.Count < resolver.Shards; i++)
        {
            var key = prefix + i;
            if (covered.Add(resolver.ShardOf(key)))
                keys.Add(key);
        }

        for (var i = 0; keys.Count < count; i++)
            if (!keys.Contains(prefix + "pad" + i))
                keys.Add(prefix + "pad" + i);
        return keys;
    }

    internal static async Task ForEachAsync<T>(IEnumerable<T> items, int parallelism, Func<T, Task> action) =>
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (item, _) => await action(item));

    public sealed record Payload(string Name, int Length);
}
