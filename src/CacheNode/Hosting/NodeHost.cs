using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using DistCacheAkka.CacheNode.Cluster;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.CacheNode.Gateway;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.CacheNode.Stats;
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
/// the cache shard region started with the consistent-hash extractor and the ring allocation strategy, and the
/// request gateway that serves clients' coalesced requests.
/// Stopping the host (SIGTERM, Ctrl+C) runs coordinated shutdown: the node hands off its shards and leaves.
/// </summary>
internal static class NodeHost
{
    public static IHost Build(Config config)
    {
        var settings = DistCacheSettings.Create(config);
        var node = NodeSettings.Create(config);
        var metrics = new NodeMetrics();
        var interest = new EventInterest();

        var builder = new HostBuilder().ConfigureServices(services =>
        {
            services.AddSingleton(settings);
            services.AddSingleton(node);
            services.AddSingleton(metrics);
            services.AddSingleton(interest);
            services.AddAkka(ActorNames.SystemName, (akka, _) =>
            {
                NodeContext? context = null;
                akka.AddHocon(config, HoconAddMode.Prepend)
                    .WithRemoting(node.Host, node.Port)
                    .WithClustering(new ClusterOptions { Roles = [settings.DataRole, node.Role] })
                    .WithDistributedPubSub(role: null!)
                    .WithActors((system, registry) =>
                    {
                        var self = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();
                        var view = new ReplicaView(self, settings.VirtualNodes, settings.ReplicationFactor);
                        var mediator = DistributedPubSub.Get(system).Mediator;
                        var events = system.ActorOf(EventPublisherActor.Props(mediator, interest, node.EventInterestRefresh), "distcache-events");
                        context = new NodeContext(settings, new ShardResolver(settings.Shards, settings.HashAlgorithm),
                            metrics, interest, events, TimeProvider.System, view, new ActorSelectionTransport(system));
                        registry.Register<CacheEvents>(events);
                        system.ActorOf(ReplicatorActor.Props(context), ActorSelectionTransport.ReplicatorName);
                        system.ActorOf(NodeStatsActor.Props(metrics), ActorNames.Stats);
                        system.ActorOf(ClusterEventsActor.Props(events, view, settings.DataRole, TimeProvider.System), "distcache-cluster-events");
                    })
                    .AddStartup(async (system, registry) =>
                    {
                        var region = await StartRegionAsync(system, context!);
                        registry.Register<CacheRegion>(region);
                        system.ActorOf(RequestGatewayActor.Props(region), ActorNames.Gateway);
                        system.ActorOf(ShardWarmupActor.Props(region, context!.Resolver, node.WarmUpAfterStable, node.WarmUpMinDataNodes, settings.DataRole), "distcache-warmup");
                        Join(system, node);
                    });
            });
        });
        return builder.Build();
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
            new RingAllocationStrategy(context.Settings.Shards, context.Settings.VirtualNodes, context.Settings.RebalanceMaxShardsPerRound),
            StopEntry.Instance);
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
