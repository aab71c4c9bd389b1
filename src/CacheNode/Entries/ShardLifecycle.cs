namespace DistCacheAkka.CacheNode.Entries;

/// <summary>
/// Published on the node's local event stream when a shard's EntryActor starts (<see cref="Running"/> true) or stops
/// on this node: the client registry tells clients at once where the shard now lives, instead of at its next poll.
/// </summary>
internal sealed record ShardLifecycle(int Shard, bool Running);
