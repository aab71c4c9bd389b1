using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using DistCacheAkka.ClientProxy.Actors;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Routing;

namespace DistCacheAkka.ClientProxy.Hosting;

/// <summary>Registry key of the cache region proxy started by <see cref="DistCacheClientHostingExtensions.WithDistCacheClient"/>.</summary>
public sealed class DistCacheRegionProxy;

/// <summary>Registry key of the ClientProxy actor: inject <c>IRequiredActor&lt;DistCacheClientProxy&gt;</c>.</summary>
public sealed class DistCacheClientProxy;

/// <summary>Akka.Hosting integration of the client.</summary>
public static class DistCacheClientHostingExtensions
{
    private const string SerializerHocon = """
        akka.actor.serializers.distcache = "DistCacheAkka.Messages.Serialization.CacheProtocolSerializer, DistCacheAkka.Messages"
        akka.actor.serialization-bindings { "DistCacheAkka.Messages.ICacheMessage, DistCacheAkka.Messages" = distcache }
        """;

    /// <summary>
    /// Adds the DistCacheAkka client to an Akka.Hosting ActorSystem that is (or will be) a cluster member with role
    /// "client": the protocol serializer, DistributedPubSub, the cache region proxy and the ClientProxy actor,
    /// registered as <see cref="DistCacheClientProxy"/> for <c>IRequiredActor&lt;&gt;</c> injection. Wrap it in the
    /// typed client with <see cref="DistCacheClient.FromProxy"/>. Clustering and seeds are the application's to configure.
    /// </summary>
    public static AkkaConfigurationBuilder WithDistCacheClient(this AkkaConfigurationBuilder builder, DistCacheClientOptions options)
    {
        var settings = options.ClusterSettings;
        var extractor = new ConsistentHashMessageExtractor(new ShardResolver(settings.Shards, settings.HashAlgorithm));
        return builder
            .AddHocon(Akka.Configuration.ConfigurationFactory.ParseString(SerializerHocon), HoconAddMode.Append)
            .WithDistributedPubSub(role: null!)
            .WithShardRegionProxy<DistCacheRegionProxy>(settings.RegionName, settings.DataRole, extractor)
            .WithActors((system, registry) =>
            {
                var coalescing = CoalescingSettings.Create(system.Settings.Config) with { ReplyTimeout = options.RequestTimeout };
                var proxy = system.ActorOf(
                    ClientProxyActor.Props(registry.Get<DistCacheRegionProxy>(), DistributedPubSub.Get(system).Mediator, settings, coalescing),
                    "distcache-client");
                registry.Register<DistCacheClientProxy>(proxy);
            });
    }
}
