namespace DistCacheAkka.CacheNode.Entries;

/// <summary>
/// Published on the node's local event stream when a shard's EntryActor starts (<see cref="Running"/> true), or
/// starts handing off or stops (false) on this node: the client registry tells clients at once where the shard now
/// lives, instead of at its next poll, and the request gateway hands commands to <see cref="Entry"/> directly while
/// it runs.
/// </summary>
internal sealed record ShardLifecycle(int Shard, Akka.Actor.IActorRef Entry, bool Running);
