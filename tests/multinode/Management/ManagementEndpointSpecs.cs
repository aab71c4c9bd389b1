using System.Text.Json;
using DistCacheAkka.CacheNode.Management;
using DistCacheAkka.CacheNode.Memory;
using Microsoft.Extensions.DependencyInjection;
using DistCacheAkka.Tests.Multinode.Support;
using static DistCacheAkka.Tests.Multinode.Management.ManagementClusterFixture;

namespace DistCacheAkka.Tests.Multinode.Management;

// The management endpoint of real in-process nodes over real HTTP on loopback: health, the cluster palette, cache
// reads and writes (through the same ClientProxy path as applications), the sharding palette agreeing with where
// shards really are, and 400 / 404 replies that name the problem.
public sealed class ManagementEndpointSpecs(ManagementClusterFixture fixture) : IClassFixture<ManagementClusterFixture>
{
    private HttpClient Node0 => fixture.Http[0];

    private HttpClient Node1 => fixture.Http[1];

    [Fact]
    public async Task Should_be_live_and_become_ready_once_the_shards_have_recovered()
    {
        var (status, live) = await SendAsync(Node0, HttpMethod.Get, "health/live");
        Assert.Equal((200, "live"), (status, live.GetProperty("status").GetString()));

        foreach (var http in fixture.Http)
        {
            JsonElement ready = default;
            await Eventually.HoldsAsync(async () => ((status, ready) = await SendAsync(http, HttpMethod.Get, "health/ready")).status == 200,
                TimeSpan.FromSeconds(30), "the node ready");
            Assert.True(ready.GetProperty("ready").GetBoolean());
            Assert.True(ready.GetProperty("shardsHosted").GetInt32() > 0);
            Assert.Equal(0, ready.GetProperty("shardsRecovering").GetInt32());
        }
    }

    [Fact]
    public async Task Should_report_not_ready_while_the_GC_pauses_the_node_most_of_the_time()
    {
        var handle = fixture.Cluster.Nodes[0].Services.GetRequiredService<NodeHandle>();
        await Eventually.HoldsAsync(async () => (await SendAsync(Node0, HttpMethod.Get, "health/ready")).Status == 200,
            TimeSpan.FromSeconds(30), "the node ready");
        var real = handle.Gc;
        var clock = new FakeClock();
        var paused = TimeSpan.Zero;
        var thrashing = new GcPauseMonitor(() => paused, clock, sampleEvery: null);
        clock.Now += TimeSpan.FromSeconds(10);
        paused += TimeSpan.FromSeconds(8); // 80% of the last 10 s in GC pauses
        try
        {
            handle.Gc = thrashing;
            var (status, ready) = await SendAsync(Node0, HttpMethod.Get, "health/ready");

            Assert.Equal(503, status);
            Assert.Contains("the GC paused the node 80% of the last 10 s", ready.GetProperty("reason").GetString());
        }
        finally
        {
            handle.Gc = real;
        }

        Assert.Equal(200, (await SendAsync(Node0, HttpMethod.Get, "health/ready")).Status);
    }

    private sealed class FakeClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task Should_show_every_member_and_the_leader()
    {
        var (status, show) = await SendAsync(Node1, HttpMethod.Get, "cluster/show");

        Assert.Equal(200, status);
        var members = show.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(
            fixture.Cluster.Systems.Select(s => Akka.Cluster.Cluster.Get(s).SelfAddress.ToString()).Order(),
            members.Select(m => m.GetProperty("address").GetString()!).Order());
        Assert.All(members, m => Assert.Equal(("Up", true), (m.GetProperty("status").GetString(), m.GetProperty("reachable").GetBoolean())));
        Assert.Single(members, m => m.GetProperty("self").GetBoolean());

        var (_, status1) = await SendAsync(Node1, HttpMethod.Get, "cluster/status");
        Assert.Equal(2, status1.GetProperty("membersUp").GetInt32());
        var (_, leader) = await SendAsync(Node0, HttpMethod.Get, "cluster/leader");
        Assert.Equal(show.GetProperty("leader").GetString(), leader.GetProperty("leader").GetString());
    }

    [Fact]
    public async Task Should_set_on_one_node_and_get_and_remove_on_the_other()
    {
        var (status, set) = await SendAsync(Node0, HttpMethod.Post, "cache/set?key=mgmt:greeting&ttl=5m&consistency=strong", "héllo wörld");
        Assert.Equal(200, status);
        Assert.Equal(("strong", 13), (set.GetProperty("consistency").GetString(), set.GetProperty("size").GetInt32()));

        var (_, got) = await SendAsync(Node1, HttpMethod.Get, "cache/get?key=mgmt:greeting&consistency=quorum");
        Assert.True(got.GetProperty("found").GetBoolean());
        Assert.Equal("héllo wörld", got.GetProperty("value").GetString());

        var (_, removed) = await SendAsync(Node1, HttpMethod.Post, "cache/remove?key=mgmt:greeting");
        Assert.True(removed.GetProperty("removed").GetBoolean());
        var (_, gone) = await SendAsync(Node0, HttpMethod.Get, "cache/get?key=mgmt:greeting&consistency=strong");
        Assert.False(gone.GetProperty("found").GetBoolean());
    }

    [Theory]
    [InlineData("POST", "cache/set?key=k&ttl=-5s", "ttl '-5s' must be positive")]
    [InlineData("POST", "cache/set?key=k&ttl=later", "ttl 'later' is not a duration")]
    [InlineData("GET", "cache/get?key=k&consistency=most", "consistency 'most' is not one of strong, quorum, eventual")]
    [InlineData("GET", "cache/get", "missing argument 'key'")]
    [InlineData("POST", "cluster/join?address=nowhere", "address 'nowhere' is not host:port")]
    [InlineData("GET", "cluster-sharding/entity-location?key=", "missing argument 'key'")]
    public async Task Should_answer_400_naming_the_problem(string method, string uri, string problem)
    {
        var (status, body) = await SendAsync(Node0, new HttpMethod(method), uri, method == "POST" ? "v" : null);

        Assert.Equal(400, status);
        Assert.Contains(problem, body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Should_answer_400_for_a_key_over_the_size_limit()
    {
        var key = new string('k', fixture.Cluster.Settings.MaxKeyBytes + 1);

        var (status, body) = await SendAsync(Node0, HttpMethod.Post, $"cache/set?key={key}", "v");

        Assert.Equal(400, status);
        Assert.Contains("key", body.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Should_answer_404_for_unknown_commands_and_members()
    {
        var (status, body) = await SendAsync(Node0, HttpMethod.Get, "cache/flush");
        Assert.Equal(404, status);
        Assert.Contains("unknown command 'cache/flush'", body.GetProperty("error").GetString());

        (status, body) = await SendAsync(Node0, HttpMethod.Post, "cluster/down?address=127.0.0.1:1");
        Assert.Equal(404, status);
        Assert.Contains("akka.tcp://distcache@127.0.0.1:1 is not a member", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Should_report_shard_placement_as_the_cluster_has_it()
    {
        var owners = await fixture.Cluster.OwnersAsync();

        var (_, stats) = await SendAsync(Node0, HttpMethod.Get, "cluster-sharding/shard-stats");
        Assert.Equal(fixture.Cluster.Settings.Shards, stats.GetProperty("allocatedShards").GetInt32());
        Assert.Equal(
            owners.GroupBy(o => o.Value).Select(g => (g.Key, g.Count())).Order(),
            stats.GetProperty("regions").EnumerateArray().Select(r => (r.GetProperty("node").GetString()!, r.GetProperty("shards").GetInt32())).Order());

        var (_, location) = await SendAsync(Node1, HttpMethod.Get, "cluster-sharding/entity-location?key=user:42");
        var shard = location.GetProperty("shard").GetInt32();
        Assert.Equal(owners[shard], location.GetProperty("primary").GetString());
        var backup = Assert.Single(location.GetProperty("backups").EnumerateArray()); // R = 2
        Assert.NotEqual(owners[shard], backup.GetString());

        var (_, region) = await SendAsync(Node0, HttpMethod.Get, "cluster-sharding/region-stats");
        Assert.Equal(owners.Count(o => o.Value == region.GetProperty("node").GetString()), region.GetProperty("shardCount").GetInt32());

        var (_, regions) = await SendAsync(Node0, HttpMethod.Get, "cluster-sharding/regions");
        Assert.Equal(2, regions.GetProperty("regions").GetArrayLength());

        var (_, rebalance) = await SendAsync(Node0, HttpMethod.Get, "cache/rebalance-status");
        Assert.Equal((true, 0, 0), (rebalance.GetProperty("balanced").GetBoolean(), rebalance.GetProperty("pendingMoves").GetInt32(),
            rebalance.GetProperty("unallocatedShards").GetInt32()));
    }

    [Fact]
    public async Task Should_report_the_ring_and_the_key_distribution()
    {
        for (var i = 0; i < 400; i++)
            Assert.Equal(200, (await SendAsync(Node0, HttpMethod.Post, $"cache/set?key=dist:{i}&consistency=eventual", "x")).Status);

        var (_, ring) = await SendAsync(Node0, HttpMethod.Get, "cache/ring");
        var nodes = ring.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(2, nodes.Count);
        Assert.Equal(100.0, nodes.Sum(n => n.GetProperty("hashSpacePercent").GetDouble()), precision: 1);
        Assert.Equal(fixture.Cluster.Settings.Shards, nodes.Sum(n => n.GetProperty("plannedShards").GetInt32()));

        var (_, distribution) = await SendAsync(Node1, HttpMethod.Get, "cache/distribution");
        var rows = distribution.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.True(distribution.GetProperty("totalKeys").GetInt64() >= 400);
        Assert.Equal(0.0, rows.Sum(r => r.GetProperty("keysDeviationPercent").GetDouble()), precision: 1); // deviations from the mean cancel out
        Assert.All(rows, r => Assert.True(r.GetProperty("shards").GetInt32() > 0));
    }
}
