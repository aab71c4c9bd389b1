using Akka.Actor;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Entries;

/// <summary>
/// A client's command handed by this node's request gateway straight to the shard's local EntryActor (no shard
/// region, no Ask): the EntryActor answers the gateway with a <see cref="RoutedReply"/> carrying the same
/// <see cref="Id"/>, which the gateway matches to the client's command. Never leaves the node.
/// </summary>
internal sealed record Routed(long Id, ICacheMessage Command) : INoSerializationVerificationNeeded;

/// <summary>The EntryActor's answer to a <see cref="Routed"/> command.</summary>
internal sealed record RoutedReply(long Id, object Reply) : INoSerializationVerificationNeeded;

/// <summary>
/// Where a command's answer goes: to the asker itself, or — for a <see cref="Routed"/> command (<see cref="Id"/>
/// above 0) — to the gateway, wrapped with the command's id. Stored with pending reads and writes, so a deferred
/// answer (after the replicas acknowledged) takes the same way back.
/// </summary>
internal readonly record struct ReplyTo(IActorRef Ref, long Id = 0)
{
    /// <summary>Sends <paramref name="message"/> with the current actor as sender.</summary>
    public void Tell(object? message) => Ref.Tell(Id == 0 ? message! : new RoutedReply(Id, message!));
}
