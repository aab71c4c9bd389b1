using System.Collections.Concurrent;
using Akka.Actor;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Replication;

/// <summary>How replicas reach each other's ReplicatorActor. Tests replace it with probes.</summary>
internal interface IReplicaTransport
{
    void Send(string node, IReplicationMessage message, IActorRef sender);
}

/// <summary>Sends to /user/distcache-replicator on the named node, caching one ActorSelection per node.</summary>
internal sealed class ActorSelectionTransport(ActorSystem system) : IReplicaTransport
{
    public const string ReplicatorName = ActorNames.Replicator;

    private readonly ConcurrentDictionary<string, ActorSelection> _selections = new(StringComparer.Ordinal);

    public void Send(string node, IReplicationMessage message, IActorRef sender) =>
        _selections.GetOrAdd(node, n => system.ActorSelection(ActorNames.PathOn(n, ReplicatorName))).Tell(message, sender);
}
