using DistCacheAkka.CacheNode.DataPlane;
using DistCacheAkka.CacheNode.Management;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Multinode.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DistCacheAkka.Tests.Multinode.InProcess;

/// <summary>A 3-data-node cluster (64 shards, for a quick start) and a client that uses the data plane.</summary>
public sealed class DataPlaneClusterFixture : IAsyncLifetime
{
    public InProcessCluster Cluster { get; private set; } = null!;

    public IDistCacheClient Client { get; private set; } = null!;

    internal IReadOnlyList<DataPlaneListener> Listeners => Cluster.Nodes
        .Select(n => n.Services.GetRequiredService<NodeHandle>().DataPlane ?? throw new InvalidOperationException("a node has no data plane"))
        .ToList();

    public async Task InitializeAsync()
    {
        Cluster = await InProcessCluster.StartAsync(3, "distcache.shards = 64");
        // A short timeout: a command in flight on a connection that closes is reported when its timeout fires.
        Client = await Cluster.ConnectClientAsync(o => o with { RequestTimeout = TimeSpan.FromSeconds(3) });
        // Each node's management endpoint has a client of its own, which uses the data plane too.
        await Eventually.HoldsAsync(() => Listeners.All(l => l.OpenConnections == Cluster.Nodes.Count + 1), TimeSpan.FromSeconds(15),
            "the data-plane connections of the client and of the nodes' management clients to every node");
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

// The data plane end to end (README, "The data plane"): the client's single-key requests travel over its TCP
// connection to each node, not over remoting (the nodes' own counters of envelopes served by the data plane prove
// it); get, set and remove work at every consistency level; when the nodes close every connection, requests fall
// back to remoting with no failure other than timeouts of the commands that were in flight on the closed sockets,
// and the client reconnects; a client with UseDataPlane = false opens no connection and sends nothing over one.
// The specs run one after another on the shared cluster (one class), each with its own keys.
public class DataPlaneClusterSpecs(DataPlaneClusterFixture fixture) : IClassFixture<DataPlaneClusterFixture>
{
    private IDistCacheClient Client => fixture.Client;

    private long Commands => fixture.Listeners.Sum(l => l.Commands);

    [Fact]
    public async Task Should_send_single_key_requests_over_the_data_plane()
    {
        var before = fixture.Listeners.Select(l => l.Commands).ToList();

        for (var i = 0; i < 300; i++)
            await Client.SetAsync($"dp:{i}", i);
        for (var i = 0; i < 300; i++)
            Assert.Equal(i, await Client.GetAsync<int>($"dp:{i}"));

        var served = fixture.Listeners.Select((l, i) => l.Commands - before[i]).ToList();
        Assert.Equal(600, served.Sum()); // every request, none over remoting
        Assert.All(served, s => Assert.True(s > 0, "every node serves some of the keys over its data plane"));
    }

    [Theory]
    [InlineData(ConsistencyLevel.Eventual)]
    [InlineData(ConsistencyLevel.Quorum)]
    [InlineData(ConsistencyLevel.Strong)]
    public async Task Should_get_set_and_remove_at_every_consistency_level(ConsistencyLevel level)
    {
        var before = Commands;
        var keys = Enumerable.Range(0, 50).Select(i => $"dp-{level}:{i}").ToList();

        foreach (var key in keys)
            await Client.SetAsync(key, key.ToUpperInvariant(), consistency: level);
        foreach (var key in keys)
            Assert.Equal(key.ToUpperInvariant(), await Client.GetAsync<string>(key, level));
        foreach (var key in keys)
            Assert.True(await Client.RemoveAsync(key, level));
        foreach (var key in keys)
            Assert.Null(await Client.GetAsync<string>(key, level));

        Assert.True(Commands - before >= 4 * keys.Count, $"{Commands - before} commands over the data plane for {4 * keys.Count} requests");
    }

    [Fact]
    public async Task Should_fall_back_to_remoting_when_the_connections_close_and_reconnect()
    {
        var accepted = fixture.Listeners.Select(l => l.Accepted).ToList();
        var open = fixture.Listeners.Select(l => l.OpenConnections).ToList();
        using var stop = new CancellationTokenSource();
        var succeeded = 0;
        var timeouts = 0;
        var failures = new List<Exception>();
        var workers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var key = $"fallback:{w}:{i % 100}";
                try
                {
                    await Client.SetAsync(key, i);
                    var read = await Client.GetAsync<int>(key);
                    if (read != i)
                        throw new InvalidOperationException($"{key} read {read}, wrote {i}");
                    Interlocked.Increment(ref succeeded);
                }
                catch (DistCacheTimeoutException)
                {
                    Interlocked.Increment(ref timeouts); // in flight on a closed connection: retriable
                }
                catch (Exception e)
                {
                    lock (failures)
                        failures.Add(e);
                }
            }
        })).ToList();

        await Eventually.HoldsAsync(() => Volatile.Read(ref succeeded) > 200, TimeSpan.FromSeconds(20), "load running over the data plane");
        foreach (var listener in fixture.Listeners)
            listener.CloseConnections();
        var atClose = Volatile.Read(ref succeeded);
        var commandsAtClose = Commands;

        // Requests keep succeeding (over remoting) before the reconnection (backoff of at least 1 s)...
        await Eventually.HoldsAsync(() => Volatile.Read(ref succeeded) > atClose + 200, TimeSpan.FromSeconds(20), "requests served after the close");
        // ...and the client reconnects to every node, whose data plane serves it again.
        await Eventually.HoldsAsync(() => fixture.Listeners.Select((l, i) => l.Accepted >= accepted[i] + open[i] && l.OpenConnections == open[i]).All(x => x),
            TimeSpan.FromSeconds(20), "the client to reconnect to every node");
        await Eventually.HoldsAsync(() => Commands > commandsAtClose + 200, TimeSpan.FromSeconds(20), "requests over the new connections");
        stop.Cancel();
        await Task.WhenAll(workers);

        Assert.Empty(failures);
        Assert.True(timeouts <= 16 * 2, $"{timeouts} timeouts: more than the commands that can be in flight when the connections close");
    }

    [Fact]
    public async Task Should_open_no_connection_when_UseDataPlane_is_false()
    {
        var remotingOnly = await fixture.Cluster.ConnectClientAsync(o => o with { UseDataPlane = false });
        var accepted = fixture.Listeners.Sum(l => l.Accepted);
        var before = Commands;

        for (var i = 0; i < 200; i++)
            await remotingOnly.SetAsync($"remoting:{i}", i);
        for (var i = 0; i < 200; i++)
            Assert.Equal(i, await remotingOnly.GetAsync<int>($"remoting:{i}"));

        Assert.Equal(before, Commands);
        Assert.Equal(accepted, fixture.Listeners.Sum(l => l.Accepted));
    }
}
