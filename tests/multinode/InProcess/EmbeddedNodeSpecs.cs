using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using DistCacheAkka.CacheNode.Hosting;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Settings;
using DistCacheAkka.Tests.Multinode.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistCacheAkka.Tests.Multinode.InProcess;

/// <summary>Registry key of the application's own actor in <see cref="EmbeddedNodeSpecs"/>.</summary>
public sealed class AppGreeter;

/// <summary>The application's own actor: answers a name with a greeting.</summary>
public sealed class AppGreeterActor : ReceiveActor
{
    public AppGreeterActor() => Receive<string>(name => Sender.Tell($"hello {name}"));
}

/// <summary>
/// Two Microsoft.Extensions.Hosting applications, each with its own ActorSystem (remoting, clustering with the
/// application's role "app", the application's own actor) that embeds a data node with WithDistCacheNode, and a
/// standalone CacheNode host; the second application and the standalone node join the first. Shared by the specs of
/// <see cref="EmbeddedNodeSpecs"/>.
/// </summary>
public sealed class EmbeddedNodesFixture : IAsyncLifetime
{
    /// <summary>64 shards: a quick warm-up. Clients must agree, so they take <see cref="Settings"/>.</summary>
    public static readonly DistCacheSettings Settings = DistCacheSettings.Create(ConfigurationFactory.ParseString("distcache.shards = 64"));

    public const long MemoryLimit = 64L * 1024 * 1024;

    /// <summary>Two embedded nodes and one standalone.</summary>
    public const int DataNodes = 3;

    private readonly List<IHost> _hosts = [];

    public IReadOnlyList<IHost> Hosts => _hosts;

    public IDistCacheClient Client { get; private set; } = null!;

    public static ActorSystem SystemOf(IHost host) => host.Services.GetRequiredService<ActorSystem>();

    public static string EndpointOf(IHost host) =>
        Akka.Cluster.Cluster.Get(SystemOf(host)).SelfAddress is var a ? $"{a.Host}:{a.Port}" : "";

    /// <summary>An application that embeds a data node; it joins <paramref name="seed"/>, or itself when null.</summary>
    public static IHost BuildApp(Address? seed) => new HostBuilder().ConfigureServices(services => services.AddAkka(ActorNames.SystemName, (builder, _) =>
    {
        builder.AddHocon(InProcessCluster.TestHocon + "\nakka.cluster.sharding.rebalance-interval = 2s", HoconAddMode.Prepend)
            .WithRemoting("127.0.0.1", 0)
            .WithClustering(new ClusterOptions { Roles = ["app"] })
            .WithActors((system, registry) => registry.Register<AppGreeter>(system.ActorOf(Props.Create<AppGreeterActor>(), "app-greeter")))
            .WithDistCacheNode(new DistCacheNodeOptions
            {
                Shards = Settings.Shards,
                ReplicationFactor = 2,
                MemoryLimitBytes = MemoryLimit,
                WarmUpMinDataNodes = DataNodes,
                WarmUpAfterStable = TimeSpan.FromSeconds(1),
            })
            .AddStartup((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.JoinSeedNodes([seed ?? cluster.SelfAddress]);
            });
    })).Build();

    public async Task InitializeAsync()
    {
        var first = BuildApp(null);
        _hosts.Add(first);
        await first.StartAsync();
        var second = BuildApp(Akka.Cluster.Cluster.Get(SystemOf(first)).SelfAddress);
        _hosts.Add(second);
        await second.StartAsync();
        // A standalone CacheNode (NodeHost, the same data-node code) joins the applications' cluster as a worker.
        var seed = EndpointOf(first);
        var standalone = NodeHost.Build(NodeConfig.Build(null, "",
            $"distcache.node.role = worker\ndistcache.node.port = 0\ndistcache.management.port = 0\ndistcache.node.seeds = [\"{seed}\"]",
            $"{InProcessCluster.TestHocon}\ndistcache.shards = {Settings.Shards}\ndistcache.memory.limit = {MemoryLimit}\n" +
            $"distcache.node.warm-up-min-data-nodes = {DataNodes}\ndistcache.node.warm-up-after-stable = 1s"));
        _hosts.Add(standalone);
        await standalone.StartAsync();
        await Eventually.HoldsAsync(
            () => _hosts.All(h => Akka.Cluster.Cluster.Get(SystemOf(h)).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == DataNodes),
            TimeSpan.FromSeconds(30), "both applications and the standalone node Up in one cluster");
        Client = await DistCacheClient.ConnectAsync(new DistCacheClientOptions
        {
            SeedNodes = [EndpointOf(first)],
            ClusterSettings = Settings,
            RequestTimeout = TimeSpan.FromSeconds(10),
            ExtraHocon = "akka.loglevel = WARNING",
        });
        await ShardReadiness.WaitAllAllocatedAsync(Client, Settings.Shards);
    }

    public async Task DisposeAsync()
    {
        if (Client is not null)
            await Client.DisposeAsync();
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await host.StopAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                await SystemOf(host).Terminate();
            }

            host.Dispose();
        }
    }
}

// A data node embedded with WithDistCacheNode in applications that run their own actors: the application's actor
// still answers, the node's actors are reachable through IRequiredActor keys, the member carries both the
// application's role and the data role, the application's own HOCON wins over the node's defaults where it set a value,
// a client reads and writes through the embedded nodes, and writes are replicated between the nodes of a cluster of
// two embedded nodes and a standalone CacheNode.
// Misconfigured embeddings (no cluster provider; WithClustering's roles replacing the data role) fail at startup
// with a message that says what to change.
public class EmbeddedNodeSpecs(EmbeddedNodesFixture fixture) : IClassFixture<EmbeddedNodesFixture>
{
    [Fact]
    public async Task Should_run_the_applications_own_actor_beside_the_node()
    {
        var host = fixture.Hosts[0];
        var greeter = await host.Services.GetRequiredService<IRequiredActor<AppGreeter>>().GetAsync();
        var region = await host.Services.GetRequiredService<IRequiredActor<DistCacheRegion>>().GetAsync();
        var gateway = await host.Services.GetRequiredService<IRequiredActor<DistCacheGateway>>().GetAsync();
        var events = await host.Services.GetRequiredService<IRequiredActor<DistCacheEvents>>().GetAsync();
        var self = Akka.Cluster.Cluster.Get(EmbeddedNodesFixture.SystemOf(host)).SelfMember;

        Assert.Equal("hello cache", await greeter.Ask<string>("cache", TimeSpan.FromSeconds(5)));
        Assert.Equal($"/user/{ActorNames.Gateway}", gateway.Path.ToStringWithoutAddress());
        Assert.Equal($"/user/{ActorNames.Events}", events.Path.ToStringWithoutAddress());
        Assert.Contains("sharding", region.Path.ToStringWithoutAddress());
        Assert.True(self.HasRole("app") && self.HasRole("cache"), $"roles: {string.Join(", ", self.Roles)}");
    }

    [Fact]
    public void Should_let_the_applications_hocon_win_over_the_nodes_defaults()
    {
        var config = EmbeddedNodesFixture.SystemOf(fixture.Hosts[0]).Settings.Config;

        // Set by the application: kept.
        Assert.Equal(TimeSpan.FromSeconds(2), config.GetTimeSpan("akka.cluster.sharding.rebalance-interval"));
        Assert.Equal(TimeSpan.FromSeconds(4), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        // Not set by the application: node.conf's.
        Assert.Equal(2L * 1024 * 1024, config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
        Assert.Equal(TimeSpan.FromSeconds(15), config.GetTimeSpan("akka.cluster.sharding.handoff-timeout"));
        Assert.Equal("cache", config.GetString("akka.cluster.split-brain-resolver.keep-majority.role"));
        // Process-wide choices of node.conf are the application's: log level from its own HOCON.
        Assert.Equal("WARNING", config.GetString("akka.loglevel"));
    }

    [Fact]
    public async Task Should_serve_a_client_and_the_region_through_the_embedded_nodes()
    {
        var client = fixture.Client;
        var keys = Enumerable.Range(0, 200).Select(i => $"embedded:{i}").ToList();

        await DataPathClusterSpecs.ForEachAsync(keys, 16, k => client.SetAsync(k, k.Length));
        var read = await client.GetMultipleAsync<int>(keys);
        Assert.True(await client.RemoveAsync(keys[0]));
        Assert.Null(await client.GetAsync<string>(keys[0]));

        // The application itself, through the region key: routed to the key's primary on either node.
        var region = await fixture.Hosts[1].Services.GetRequiredService<IRequiredActor<DistCacheRegion>>().GetAsync();
        var set = await region.Ask<ISetResponse>(new Set("embedded:region", "v"u8.ToArray(), CacheExpiry.Never, ConsistencyLevel.Quorum), TimeSpan.FromSeconds(10));
        Assert.IsType<SetSuccess>(set);
        Assert.Equal(200, read.Count);
        Assert.All(keys, k => Assert.Equal(k.Length, read[k]));
        Assert.Equal("v"u8.ToArray(), await client.GetBytesAsync("embedded:region"));
    }

    [Fact]
    public async Task Should_replicate_every_write_between_embedded_and_standalone_nodes()
    {
        var client = fixture.Client;
        var keys = Enumerable.Range(0, 100).Select(i => $"replicated:{i}").ToList();

        // Strong: acknowledged only after both replicas (R = 2) applied it.
        await DataPathClusterSpecs.ForEachAsync(keys, 16, k => client.SetAsync(k, k, consistency: ConsistencyLevel.Strong));
        var stats = await client.GetStatsAsync();

        Assert.Equal(EmbeddedNodesFixture.DataNodes, stats.Nodes.Count); // the standalone node too
        Assert.All(stats.Nodes, n => Assert.True(n.ShardsOwned > 0 && n.BackupEntries > 0, $"{n.Node}: {n.ShardsOwned} shards, {n.BackupEntries} backups"));
        Assert.All(stats.Nodes, n => Assert.Equal(EmbeddedNodesFixture.MemoryLimit, n.MemoryLimitBytes)); // DistCacheNodeOptions.MemoryLimitBytes (embedded), distcache.memory.limit (standalone)
        Assert.True(stats.TotalBackupEntries >= keys.Count, $"{stats.TotalBackupEntries} backup entries for {keys.Count} strong writes");
        Assert.Equal(stats.TotalEntries, stats.TotalBackupEntries); // one backup copy of each live entry
    }

    [Fact]
    public async Task Should_refuse_to_start_without_a_cluster_provider()
    {
        using var app = new HostBuilder().ConfigureServices(services => services.AddAkka(ActorNames.SystemName, (builder, _) =>
            builder.AddHocon("akka.loglevel = ERROR", HoconAddMode.Prepend).WithDistCacheNode())).Build();

        var e = await Assert.ThrowsAsync<DistCacheConfigurationException>(() => app.StartAsync());

        Assert.Contains("WithClustering", e.Message);
        await app.StopAsync();
    }

    [Fact]
    public async Task Should_refuse_to_start_when_withclustering_replaced_the_data_role()
    {
        using var app = new HostBuilder().ConfigureServices(services => services.AddAkka(ActorNames.SystemName, (builder, _) =>
            builder.AddHocon("akka.loglevel = ERROR", HoconAddMode.Prepend)
                .WithRemoting("127.0.0.1", 0)
                .WithDistCacheNode()
                .WithClustering(new ClusterOptions { Roles = ["app"] }))).Build();

        var e = await Assert.ThrowsAsync<DistCacheConfigurationException>(() => app.StartAsync());

        Assert.Contains("\"cache\"", e.Message);
        Assert.Contains("[app]", e.Message);
        await app.StopAsync();
    }
}
