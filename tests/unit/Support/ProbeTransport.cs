using Akka.Actor;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.Messages;

namespace DistCacheAkka.Tests.Unit.Support;

/// <summary>Replica transport for actor tests: each node name maps to a probe (or anything that takes a Tell).</summary>
internal sealed class ProbeTransport(IReadOnlyDictionary<string, IActorRef> nodes) : IReplicaTransport
{
    public void Send(string node, IReplicationMessage message, IActorRef sender)
    {
        if (nodes.TryGetValue(node, out var target))
            target.Tell(message, sender);
    }
}
