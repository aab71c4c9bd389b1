using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.SBR;
using Akka.Configuration;

namespace DistCacheAkka.CacheNode.Cluster;

/// <summary>
/// The downing provider every data node uses (<c>akka.cluster.downing-provider-class</c> in <c>hocon/node.conf</c>):
/// Akka's keep-majority split brain resolver with stale verdicts set aside (<see cref="DowningDecision"/>). It reads
/// Akka's own settings under <c>akka.cluster.split-brain-resolver</c> and accepts only <c>keep-majority</c>, the one
/// strategy it implements.
/// </summary>
public sealed class DowningProvider : IDowningProvider
{
    private readonly SplitBrainResolverSettings _settings;

    public DowningProvider(ActorSystem system, Akka.Cluster.Cluster cluster)
    {
        _ = cluster;
        _settings = new SplitBrainResolverSettings(system.Settings.Config);
        if (_settings.DowningStrategy != SplitBrainResolverSettings.KeepMajorityName)
            throw new ConfigurationException(
                $"akka.cluster.split-brain-resolver.active-strategy is '{_settings.DowningStrategy}'; DistCacheAkka's downing provider implements only 'keep-majority'.");
    }

    /// <summary>How long after downing a node its shards may move: <c>stable-after</c>, as Akka's resolver gives it.</summary>
    public TimeSpan DownRemovalMargin => _settings.DowningStableAfter;

    public Props DowningActorProps => DowningActor.Props(_settings);
}
