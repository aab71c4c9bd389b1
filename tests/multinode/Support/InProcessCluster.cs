using Akka.Actor;
using Akka.Cluster;
using DistCacheAkka.CacheNode.Hosting;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages.Settings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistCacheAkka.Tests.Multinode.Support;

/// <summary>
/// A real cluster inside the test process: N CacheNode hosts (each its own ActorSystem over TCP on 127.0.0.1, free
/// ports) plus, on demand, clients. Everything waits on conditions with deadlines, never on sleeps.
/// </summary>
public sealed class InProcessCluster : IAsyncDisposable
{
    /// <summary>
    /// Short timings for tests: quick failure detection and downing. And 128 shards rather than 1,024: the sharding
    /// coordinator allocates shards one replicated state write at a time, each carrying the whole placement, so a
    /// fresh cluster's start costs O(S²) — most of an in-process fixture's start at 1,024. Nothing these specs check
    /// depends on S; the process specs and the demo run at the default 1,024 (a fixture may set its own).
    /// </summary>
    public const string TestHocon = """
        akka.loglevel = WARNING
        distcache.shards = 128
        akka.cluster.split-brain-resolver.stable-after = 4s
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
        akka.cluster.sharding.retry-interval = 500ms
        akka.cluster.pub-sub.gossip-interval = 300ms
        distcache.node.event-interest-refresh = 200ms
        """;

    private readonly List<IHost> _nodes = [];
    private readonly List<IDistCacheClient> _clients = [];
    private readonly string _extraHocon;

    private InProcessCluster(string extraHocon) => _extraHocon = extraHocon;

    public IReadOnlyList<IHost> Nodes => _nodes;

    public IEnumerable<ActorSystem> Systems => _nodes.Select(SystemOf);

    public DistCacheSettings Settings { get; private set; } = DistCacheSettings.Default;

    public Address SeedAddress => Akka.Cluster.Cluster.Get(SystemOf(_nodes[0])).SelfAddress;

    public string SeedEndpoint => $"{SeedAddress.Host}:{SeedAddress.Port}";

    public static ActorSystem SystemOf(IHost host) => host.Services.GetRequiredService<ActorSystem>();

    /// <summary>The base address of a node's management endpoint, e.g. http://127.0.0.1:41234/.</summary>
    public static Uri ManagementAddressOf(IHost host) =>
        host.Services.GetRequiredService<CacheNode.Management.ManagementEndpoint>().Address
        ?? throw new InvalidOperationException("the management endpoint is not started");

    public static async Task<InProcessCluster> StartAsync(int dataNodes, string extraHocon = "", TimeSpan? deadline = null)
    {
        // The warm-up waits for every data node of a test cluster, so it allocates every shard evenly at once instead
        // of to the first node and then rebalancing.
        var cluster = new InProcessCluster($"{TestHocon}\ndistcache.node.warm-up-min-data-nodes = {dataNodes}\n{extraHocon}");
        try
        {
            await cluster.AddNodeAsync().ConfigureAwait(false);
            for (var i = 1; i < dataNodes; i++)
                await cluster.AddNodeAsync().ConfigureAwait(false);
            await cluster.AwaitUpAsync(dataNodes, deadline ?? TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            await cluster.AwaitSettledAsync().ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts one more data node (the first is the seed, later ones join it as workers).</summary>
    public async Task<IHost> AddNodeAsync()
    {
        // Every node serves its management endpoint on a free port (ManagementAddressOf reads it back).
        var flags = _nodes.Count == 0
            ? "distcache.node.role = seed\ndistcache.node.port = 0\ndistcache.management.port = 0"
            : $"distcache.node.role = worker\ndistcache.node.port = 0\ndistcache.management.port = 0\ndistcache.node.seeds = [\"{SeedEndpoint}\"]";
        var config = NodeConfig.Build(null, "", flags, _extraHocon);
        Settings = DistCacheSettings.Create(config);
        var host = NodeHost.Build(config);
        await host.StartAsync().ConfigureAwait(false);
        _nodes.Add(host);
        return host;
    }

    /// <summary>Waits until every node sees <paramref name="count"/> Up members.</summary>
    public async Task AwaitUpAsync(int count, TimeSpan deadline)
    {
        await Eventually.HoldsAsync(
            () => Systems.All(s => Akka.Cluster.Cluster.Get(s).State.Members.Count(m => m.Status == MemberStatus.Up) == count),
            deadline, $"{count} members Up on every node").ConfigureAwait(false);
    }

    public async Task<IDistCacheClient> ConnectClientAsync(Func<DistCacheClientOptions, DistCacheClientOptions>? customize = null)
    {
        var options = new DistCacheClientOptions
        {
            SeedNodes = [SeedEndpoint],
            ClusterSettings = Settings,
            RequestTimeout = TimeSpan.FromSeconds(10),
            ExtraHocon = "akka.loglevel = WARNING", // clients are not members: no cluster timings to share
        };
        var client = await DistCacheClient.ConnectAsync(customize?.Invoke(options) ?? options).ConfigureAwait(false);
        _clients.Add(client);
        return client;
    }

    /// <summary>Shard id → address of the node hosting it (each node reports its local shards).</summary>
    public async Task<Dictionary<int, string>> OwnersAsync()
    {
        var owners = new Dictionary<int, string>();
        foreach (var node in _nodes)
        {
            var region = node.Services.GetRequiredService<Akka.Hosting.ActorRegistry>().Get<CacheNode.Hosting.DistCacheRegion>();
            var state = await region.Ask<Akka.Cluster.Sharding.CurrentShardRegionState>(Akka.Cluster.Sharding.GetShardRegionState.Instance, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            foreach (var shard in state.Shards)
                owners[int.Parse(shard.ShardId)] = Akka.Cluster.Cluster.Get(SystemOf(node)).SelfAddress.ToString();
        }

        return owners;
    }

    /// <summary>Waits until every shard is allocated and every node holds floor(S/N) or ceil(S/N) of them (warm-up
    /// and rebalancing done), and returns the placement.</summary>
    public async Task<Dictionary<int, string>> AwaitSettledAsync()
    {
        var shards = Settings.Shards;
        var nodes = _nodes.Count;
        Dictionary<int, string> owners = [];
        await Eventually.HoldsAsync(async () =>
        {
            owners = await OwnersAsync().ConfigureAwait(false);
            var perNode = owners.Values.GroupBy(v => v).Select(g => g.Count()).ToList();
            return owners.Count == shards && perNode.Count == nodes && perNode.All(c => c >= shards / nodes && c <= (shards + nodes - 1) / nodes);
        }, TimeSpan.FromSeconds(90), "every shard allocated and the placement balanced").ConfigureAwait(false);
        return owners;
    }

    /// <summary>Stops a node gracefully (coordinated shutdown: shards handed off, then the node leaves).</summary>
    public async Task StopNodeAsync(IHost node)
    {
        _nodes.Remove(node);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await node.StopAsync(stop.Token).ConfigureAwait(false);
        node.Dispose();
    }

    /// <summary>
    /// Cuts a node off from every other one (throttler blackhole: the cluster must have started with
    /// <see cref="Partitions.ThrottlerHocon"/>), so that it falls silent as a crashed or frozen process does, and waits
    /// until the split brain resolver of the others has downed and removed it; then stops its host.
    /// </summary>
    public async Task SilenceAndAwaitRemovalAsync(IHost node)
    {
        _nodes.Remove(node);
        var address = Akka.Cluster.Cluster.Get(SystemOf(node)).SelfAddress;
        await Partitions.IsolateAsync(SystemOf(node), _nodes.Select(SystemOf)).ConfigureAwait(false);
        var observer = Akka.Cluster.Cluster.Get(SystemOf(_nodes[0]));
        await Eventually.HoldsAsync(() => observer.State.Members.All(m => m.Address != address), TimeSpan.FromSeconds(60),
            $"{address} to be downed and removed").ConfigureAwait(false);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await node.StopAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        node.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            await client.DisposeAsync().ConfigureAwait(false);
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await node.StopAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await SystemOf(node).Terminate().ConfigureAwait(false);
            }

            node.Dispose();
        }
    }
}
