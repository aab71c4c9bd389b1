using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using DistCacheAkka.CacheNode.Cluster;
using DistCacheAkka.CacheNode.DataPlane;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.CacheNode.Gateway;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.NearCache;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Routing;
using DistCacheAkka.Messages.Serialization;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.CacheNode.Hosting;

/// <summary>Registry key of the cache shard region of an embedded or standalone data node: inject
/// <c>IRequiredActor&lt;DistCacheRegion&gt;</c> and Ask it protocol commands (<c>Get</c>, <c>Set</c>, ...), which
/// it routes to the primary of the key's shard wherever that runs.</summary>
public sealed class DistCacheRegion;

/// <summary>Registry key of the node's request gateway, which serves clients' coalesced requests
/// (<c>CoalescedRequests</c> → <c>CoalescedReplies</c>).</summary>
public sealed class DistCacheGateway;

/// <summary>Registry key of the node's event publisher, which publishes the cache's events cluster-wide.</summary>
public sealed class DistCacheEvents;

/// <summary>Akka.Hosting integration of a data node: run one inside an application's own ActorSystem.</summary>
public static class DistCacheNodeHostingExtensions
{
    /// <summary>
    /// Makes this ActorSystem a data node of a DistCacheAkka cluster: the cache shard region (consistent-hash extractor,
    /// ring allocation strategy, role <see cref="DistCacheNodeOptions.DataRole"/>), the replicator, the request gateway
    /// and client registry that serve <c>DistCacheClient</c>s, the near-cache feed, events, stats, the cluster-events
    /// subscriber and the shard warm-up. The region, gateway and event publisher are registered as
    /// <see cref="DistCacheRegion"/>, <see cref="DistCacheGateway"/> and <see cref="DistCacheEvents"/>.
    /// <para>The application configures remoting and clustering itself (<c>WithRemoting</c>, <c>WithClustering</c>) and
    /// joins the cluster itself (seeds, <c>JoinAsync</c>, or Cluster Bootstrap). Call this after <c>WithClustering</c>
    /// and after the application's own HOCON: it adds the data role to <c>akka.cluster.roles</c>, the protocol
    /// serializer's binding, and the Akka settings of hocon/node.conf that the application has not set itself (maximum
    /// frame size for 1 MiB values, the keep-majority split brain resolver counting data nodes, sharding timings).
    /// Clients reach the node as <c>akka.tcp://distcache@host:port</c>, so name the ActorSystem "distcache"
    /// (<see cref="ActorNames.SystemName"/>) for <c>DistCacheClient.ConnectAsync</c> to work with it.</para>
    /// </summary>
    /// <exception cref="DistCacheConfigurationException">An option is invalid (here); or, when the ActorSystem starts,
    /// a <c>distcache.*</c> setting is invalid, the ActorSystem has no cluster provider, or its member lacks the data
    /// role (WithClustering's roles replaced them after this call).</exception>
    public static AkkaConfigurationBuilder WithDistCacheNode(this AkkaConfigurationBuilder builder, DistCacheNodeOptions? options = null)
    {
        options ??= new DistCacheNodeOptions();
        options.Validate();
        return builder.WithDistCacheNode(options, system =>
        {
            var services = DataNodeServices.Create(system.Settings.Config);
            system.WhenTerminated.ContinueWith(_ => services.Telemetry.Dispose(), TaskScheduler.Default);
            return services;
        });
    }

    /// <summary>The data node on services its host created (the standalone CacheNode creates them before the
    /// ActorSystem, for its management endpoint and metrics export).</summary>
    internal static AkkaConfigurationBuilder WithDistCacheNode(
        this AkkaConfigurationBuilder builder, DistCacheNodeOptions options, Func<ActorSystem, DataNodeServices> servicesOf)
    {
        var optionsHocon = options.ToHocon();
        if (optionsHocon.Length > 0)
            builder.AddHocon(optionsHocon, HoconAddMode.Prepend);

        var current = builder.Configuration.GetOrElse(Config.Empty);
        var dataRole = DistCacheConfig.WithReferenceFallback(current).GetString("distcache.data-role")?.Trim() ?? "";
        builder.AddHocon(NodeDefaults.For(current, dataRole), HoconAddMode.Prepend);
        var roles = current.HasPath("akka.cluster.roles") ? current.GetStringList("akka.cluster.roles").ToList() : [];
        if (dataRole.Length > 0 && !roles.Contains(dataRole))
            builder.AddHocon($"akka.cluster.roles = [{string.Join(", ", roles.Append(dataRole).Select(r => $"\"{r}\""))}]", HoconAddMode.Prepend);

        return builder
            .AddHocon(CacheProtocolSerializer.Config, HoconAddMode.Append)
            .AddHocon(DistributedPubSub.DefaultConfig(), HoconAddMode.Append)
            .AddHocon(DistCacheConfig.Reference, HoconAddMode.Append)
            .WithActors(async (system, registry) => await StartAsync(system, registry, servicesOf).ConfigureAwait(false));
    }

    private static async Task StartAsync(ActorSystem system, IActorRegistry registry, Func<ActorSystem, DataNodeServices> servicesOf)
    {
        var config = system.Settings.Config;
        if (((ExtendedActorSystem)system).Provider is not Akka.Cluster.ClusterActorRefProvider)
            throw new DistCacheConfigurationException(
                $"`akka.actor.provider` of ActorSystem \"{system.Name}\" is not cluster; a data node is a cluster member: call WithRemoting and WithClustering before WithDistCacheNode.");
        var settings = DistCacheSettings.Create(config);
        var dataNode = DataNodeSettings.Create(config);
        var cluster = Akka.Cluster.Cluster.Get(system);
        if (!cluster.SelfRoles.Contains(settings.DataRole))
            throw new DistCacheConfigurationException(
                $"`akka.cluster.roles` is [{string.Join(", ", cluster.SelfRoles)}]; a data node must have the role \"{settings.DataRole}\" (`distcache.data-role`). " +
                "Call WithDistCacheNode after WithClustering (WithClustering's roles replace the list), or add the role to ClusterOptions.Roles.");
        WarnAboutReachability(system, settings, config);

        var services = servicesOf(system);
        var self = cluster.SelfAddress.ToString();
        var view = new ReplicaView(self, settings.VirtualNodes, settings.ReplicationFactor);
        var mediator = DistributedPubSub.Get(system).Mediator;
        var events = system.ActorOf(EventPublisherActor.Props(mediator, services.Interest, dataNode.EventInterestRefresh), ActorNames.Events);
        var streams = new StreamLog();
        var context = new NodeContext(settings, new ShardResolver(settings.Shards, settings.HashAlgorithm), services.Metrics, services.Interest,
            events, TimeProvider.System, view, ReplicaTransport(system, settings, dataNode, services.Metrics), new RebalanceTally(), services.Budget, streams);
        var nearCacheFeed = system.ActorOf(NearCacheFeedActor.Props(streams, self, TimeProvider.System), ActorNames.NearCacheFeed);
        var memory = MemorySettings.Create(config);
        system.Log.Info("Memory budget {0:N0} bytes ({1}; {2:N0} bytes available to the runtime), eviction policy {3}",
            services.Budget.LimitBytes, memory.ConfiguredLimitBytes > 0 ? "distcache.memory.limit" : $"limit-fraction {memory.LimitFraction}",
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, services.Budget.Policy);
        registry.Register<DistCacheEvents>(events);
        services.Handle.System = system;
        services.Handle.Context = context;
        system.ActorOf(ReplicatorActor.Props(context), ActorSelectionTransport.ReplicatorName);
        system.ActorOf(NodeStatsActor.Props(services.Metrics, services.Budget), ActorNames.Stats);
        system.ActorOf(ClusterEventsActor.Props(events, view, settings.DataRole, TimeProvider.System), ActorNames.ClusterEvents);

        var region = await StartRegionAsync(system, context).ConfigureAwait(false);
        registry.Register<DistCacheRegion>(region);
        services.Handle.Region = region;
        var gateway = system.ActorOf(RequestGatewayActor.Props(region, context.Resolver, services.Telemetry), ActorNames.Gateway);
        registry.Register<DistCacheGateway>(gateway);
        var dataPlane = StartDataPlane(system, gateway);
        services.Handle.DataPlane = dataPlane;
        system.ActorOf(ClientRegistryActor.Props(region, mediator, settings.DataRole, TimeProvider.System, nearCacheFeed, dataPlane?.Port ?? 0),
            ActorNames.ClientRegistry);
        system.ActorOf(ShardWarmupActor.Props(region, context.Resolver, dataNode.WarmUpAfterStable, dataNode.WarmUpMinDataNodes, settings.DataRole,
            services.Handle.MarkWarmedUp), ActorNames.Warmup);
    }

    /// <summary>Batches per destination node (<c>distcache.replication.batch-per-node = on</c>), or one ActorSelection
    /// message per write and acknowledgement (off: for a rolling upgrade from a version that cannot read batches).
    /// Unanswered batches are forgotten after 4 operation timeouts (at least 30 s), long after their senders gave up.</summary>
    private static IReplicaTransport ReplicaTransport(ActorSystem system, DistCacheSettings settings, DataNodeSettings dataNode, NodeMetrics metrics)
    {
        if (!dataNode.BatchPerNode)
            return new ActorSelectionTransport(system);
        var registry = new ReplicaBatchRegistry(TimeProvider.System);
        var forgetAfter = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, 4 * settings.OperationTimeout.Ticks));
        var replies = system.ActorOf(ReplicaRepliesActor.Props(registry, forgetAfter), ActorNames.ReplicaReplies);
        return BatchingReplicaTransport.For(system, registry, replies, metrics);
    }

    /// <summary>The data plane, closed first when the node shuts down (its clients fall back to remoting while the
    /// node hands its shards off), and in any case when the ActorSystem terminates. Clients connect to the host of the
    /// node's address, so an embedded node whose remoting host is not <c>distcache.node.host</c> listens on the former.</summary>
    private static DataPlaneListener? StartDataPlane(ActorSystem system, IActorRef gateway)
    {
        var settings = DataPlaneSettings.Create(system.Settings.Config);
        var advertised = Akka.Cluster.Cluster.Get(system).SelfAddress.Host;
        if (settings.Enabled && advertised is { Length: > 0 } && advertised != settings.Host)
        {
            system.Log.Info("Data plane: listening on {0}, the host of this node's address, not on `distcache.node.host` ({1}): clients connect there.",
                advertised, settings.Host);
            settings = settings with { Host = advertised };
        }

        var dataPlane = DataPlaneListener.Start(system, gateway, settings);
        if (dataPlane is null)
            return null;
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "distcache-data-plane", () =>
        {
            dataPlane.Dispose();
            return Task.FromResult(Akka.Done.Instance);
        });
        system.WhenTerminated.ContinueWith(_ => dataPlane.Dispose(), TaskScheduler.Default);
        return dataPlane;
    }

    /// <summary>What still runs but limits the node: logged, not refused (an application may use only the region).</summary>
    private static void WarnAboutReachability(ActorSystem system, DistCacheSettings settings, Config config)
    {
        if (system.Name != ActorNames.SystemName)
            system.Log.Warning("This data node's ActorSystem is named \"{0}\"; DistCacheClient and WithDistCacheClient address data nodes as " +
                               "akka.tcp://{1}@host:port, so they cannot reach it. Name the ActorSystem \"{1}\" (AddAkka(\"{1}\", ...)) to serve them.",
                system.Name, ActorNames.SystemName);
        var frame = config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size", null) ?? 0;
        if (frame > 0 && frame <= settings.MaxValueBytes)
            system.Log.Warning("`akka.remote.dot-netty.tcp.maximum-frame-size` is {0:N0} bytes, not above `distcache.limits.max-value-bytes` ({1:N0}): " +
                               "large values cannot travel between members. Raise the frame size (RemoteOptions.MaxFrameSize) or lower the value limit.",
                frame, settings.MaxValueBytes);
    }

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
}
