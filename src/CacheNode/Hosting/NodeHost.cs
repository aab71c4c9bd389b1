using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using Akka.Remote.Hosting;
using DistCacheAkka.CacheNode.Cluster;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.CacheNode.Gateway;
using DistCacheAkka.CacheNode.Management;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.NearCache;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.CacheNode.Telemetry;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Actors;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Routing;
using DistCacheAkka.Messages.Settings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistCacheAkka.CacheNode.Hosting;

/// <summary>Registry key of the cache shard region on a data node.</summary>
internal sealed class CacheRegion;

/// <summary>Registry key of the node's event publisher.</summary>
internal sealed class CacheEvents;

/// <summary>
/// Builds a data node: an <see cref="IHost"/> running the ActorSystem "distcache" with remoting, clustering
/// (roles: the data role plus seed or worker), DistributedPubSub, the stats, events and cluster-events actors,
/// the cache shard region started with the consistent-hash extractor and the ring allocation strategy, the
/// request gateway that serves clients' coalesced requests, and the client registry that tells clients (which are
/// not cluster members) the topology and relays events to them.
/// Stopping the host (SIGTERM, Ctrl+C) runs coordinated shutdown: the node hands off its shards and leaves.
/// </summary>
internal static class NodeHost
{
    public static IHost Build(Config config)
    {
        var settings = DistCacheSettings.Create(config);
        var node = NodeSettings.Create(config);
        var memory = MemorySettings.Create(config);
        var budget = MemoryBudget.From(memory, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        var metrics = new NodeMetrics();
        var telemetry = TelemetrySettings.Create(config);
        var instanceId = node.Port != 0 ? $"{node.Host}:{node.Port}" : Guid.NewGuid().ToString("N");
        var interest = new EventInterest();
        var handle = new NodeHandle { Gc = GcPauseMonitor.StartForProcess(), GcThrashingPauseFraction = memory.GcThrashingPauseFraction };

        var builder = new HostBuilder().ConfigureServices(services =>
        {
            services.AddSingleton(settings);
            services.AddSingleton(node);
            services.AddSingleton(metrics);
            services.AddSingleton(budget);
            services.AddSingleton(interest);
            services.AddSingleton(handle);
            // Factories, so the host disposes them: the meter, then the export pipeline (a last OTLP push).
            services.AddSingleton(_ => new NodeTelemetry(metrics, budget));
            services.AddSingleton(sp => MetricsExport.Create(telemetry, sp.GetRequiredService<NodeTelemetry>(), node.ManagementEnabled, instanceId));
            // Registered before Akka so it binds first: a taken port stops the node before it joins the cluster.
            services.AddSingleton<ManagementEndpoint>();
            services.AddHostedService(sp => sp.GetRequiredService<ManagementEndpoint>());
            services.AddAkka(ActorNames.SystemName, (akka, provider) =>
            {
                NodeContext? context = null;
                IActorRef? nearCacheFeed = null;
                akka.AddHocon(config, HoconAddMode.Prepend)
                    .WithRemoting(RemoteOptionsOf(node))
                    .WithClustering(new ClusterOptions { Roles = [settings.DataRole, node.Role] })
                    .WithDistributedPubSub(role: null!)
                    .WithActors((system, registry) =>
                    {
                        var self = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();
                        var view = new ReplicaView(self, settings.VirtualNodes, settings.ReplicationFactor);
                        var mediator = DistributedPubSub.Get(system).Mediator;
                        var events = system.ActorOf(EventPublisherActor.Props(mediator, interest, node.EventInterestRefresh), ActorNames.Events);
                        var streams = new StreamLog();
                        context = new NodeContext(settings, new ShardResolver(settings.Shards, settings.HashAlgorithm),
                            metrics, interest, events, TimeProvider.System, view, new ActorSelectionTransport(system), new RebalanceTally(), budget, streams);
                        nearCacheFeed = system.ActorOf(NearCacheFeedActor.Props(streams, self, TimeProvider.System), ActorNames.NearCacheFeed);
                        system.Log.Info("Memory budget {0:N0} bytes ({1}; {2:N0} bytes available to the runtime), eviction policy {3}",
                            budget.LimitBytes, memory.ConfiguredLimitBytes > 0 ? "distcache.memory.limit" : $"limit-fraction {memory.LimitFraction}",
                            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, budget.Policy);
                        registry.Register<CacheEvents>(events);
                        handle.System = system;
                        system.WhenTerminated.ContinueWith(_ => handle.Gc?.Dispose(), TaskScheduler.Default);
                        if (provider.GetRequiredService<ManagementEndpoint>().Address is { } management)
                            system.Log.Info("Management endpoint listening on {0}:{1} (CLI: distcache-cli {2}{0}:{1} cluster show{3})", management.Host, management.Port,
                                management.Scheme == "https" ? "https://" : "", management.Scheme == "https" ? " --ca <the CA's file>" : "");
                        handle.Context = context;
                        system.ActorOf(ReplicatorActor.Props(context), ActorSelectionTransport.ReplicatorName);
                        system.ActorOf(NodeStatsActor.Props(metrics, budget), ActorNames.Stats);
                        system.ActorOf(ClusterEventsActor.Props(events, view, settings.DataRole, TimeProvider.System), ActorNames.ClusterEvents);
                    })
                    .AddStartup(async (system, registry) =>
                    {
                        var region = await StartRegionAsync(system, context!);
                        registry.Register<CacheRegion>(region);
                        system.ActorOf(RequestGatewayActor.Props(region, context!.Resolver, provider.GetRequiredService<NodeTelemetry>()), ActorNames.Gateway);
                        system.ActorOf(ClientRegistryActor.Props(region, DistributedPubSub.Get(system).Mediator, settings.DataRole, TimeProvider.System, nearCacheFeed),
                            ActorNames.ClientRegistry);
                        system.ActorOf(ShardWarmupActor.Props(region, context!.Resolver, node.WarmUpAfterStable, node.WarmUpMinDataNodes, settings.DataRole, handle.MarkWarmedUp), ActorNames.Warmup);
                        StartManagementClient(system, region, handle);
                        Join(system, node);
                    });
            });
        });
        return builder.Build();
    }

    /// <summary>Remoting on the node's address; with <c>distcache.tls</c> on, mutual TLS with the node's certificate and CA.</summary>
    private static RemoteOptions RemoteOptionsOf(NodeSettings node) => new()
    {
        HostName = node.Host,
        Port = node.Port,
        EnableSsl = node.Tls is not null,
        Ssl = node.Tls is not { } tls ? null! : new SslOptions
        {
            X509Certificate = tls.Certificate,
            SuppressValidation = false,
            RequireMutualAuthentication = true,
            ValidateCertificateHostname = false,
            CustomValidator = tls.Validator(),
        },
    };

    private static Task<IActorRef> StartRegionAsync(ActorSystem system, NodeContext context)
    {
        var sharding = system.Settings.Config.GetConfig("akka.cluster.sharding");
        var singleton = system.Settings.Config.GetConfig(sharding.GetString("coordinator-singleton"));
        var shardingSettings = ClusterShardingSettings.Create(sharding, singleton)
            .WithRole(context.Settings.DataRole)
            .WithStateStoreMode(StateStoreMode.DData)
            .WithRememberEntities(false)
            .WithPassivateIdleAfter(TimeSpan.Zero); // zero = never: EntryActors hold data
        return ClusterSharding.Get(system).StartAsync(
            context.Settings.RegionName,
            entityId => EntryActor.Props(entityId, context),
            shardingSettings,
            new ConsistentHashMessageExtractor(context.Resolver),
            new RingAllocationStrategy(context.Settings.Shards, context.Settings.VirtualNodes, context.Settings.RebalanceMaxShardsPerRound,
                context.Moves ?? new RebalanceTally()),
            StopEntry.Instance);
    }

    /// <summary>
    /// The management endpoint's cache commands use an in-node ClientProxy whose first contact is this node (the
    /// same path an application's client takes), and it keeps the latest RebalancingProgress event for
    /// <c>cache rebalance-status</c>.
    /// </summary>
    private static void StartManagementClient(ActorSystem system, IActorRef region, NodeHandle handle)
    {
        var settings = handle.Context!.Settings;
        // Coalescing off: operators' commands are rare; each leaves at once in an envelope of one.
        var self = Akka.Cluster.Cluster.Get(system).SelfAddress;
        var proxy = system.ActorOf(
            ClientProxyActor.Props([self], settings, CoalescingSettings.Default with { Enabled = false }),
            "distcache-management-client");
        var client = DistCacheClient.FromProxy(system, proxy, new DistCacheClientOptions
        {
            SeedNodes = [],
            ClusterSettings = settings,
            DefaultConsistency = settings.DefaultConsistency,
            RequestTimeout = TimeSpan.FromSeconds(10),
        });
        handle.Region = region;
        handle.Client = client;
        var stopped = new CancellationTokenSource();
        system.WhenTerminated.ContinueWith(_ => stopped.Cancel(), TaskScheduler.Default);
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in client.SubscribeAsync(CacheEventFilter.Of(CacheEventKind.RebalancingProgress), stopped.Token))
                    handle.Observe((RebalancingProgress)e);
            }
            catch (OperationCanceledException)
            {
                // the node is shutting down
            }
        });
    }

    /// <summary>A seed without seeds forms a cluster by joining itself; everyone else joins the listed seeds.</summary>
    private static void Join(ActorSystem system, NodeSettings node)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var self = cluster.SelfAddress;
        if (node.Seeds.Count == 0)
        {
            cluster.Join(self);
            return;
        }

        cluster.JoinSeedNodes(node.Seeds.Select(s => new Address(self.Protocol, self.System, s.Host, s.Port)).ToList());
    }
}
