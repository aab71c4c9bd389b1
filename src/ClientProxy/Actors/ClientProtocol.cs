using System.Threading.Channels;
using Akka.Actor;
using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Actors;

// Requests that only travel inside the client's ActorSystem (facade → ClientProxyActor), never over the wire.

/// <summary>Read many keys: split by shard, sent in parallel, merged. Replies <see cref="GetMultipleResult"/>.</summary>
public sealed record GetMultiple(IReadOnlyCollection<string> Keys, ConsistencyLevel Consistency, TimeSpan Timeout)
    : INoSerializationVerificationNeeded;

/// <summary>Reply to <see cref="GetMultiple"/>. Every requested key is in exactly one of <see cref="Found"/>, <see cref="Missing"/> or <see cref="Failed"/>.</summary>
public sealed record GetMultipleResult(
    IReadOnlyDictionary<string, CacheItem> Found,
    IReadOnlyCollection<string> Missing,
    IReadOnlyDictionary<string, CacheError> Failed) : INoSerializationVerificationNeeded;

/// <summary>Write many keys, split by shard (and by size). Replies <see cref="SetMultipleResult"/>.</summary>
public sealed record SetMultiple(IReadOnlyList<KeyValue> Items, CacheExpiry Expiry, ConsistencyLevel Consistency, TimeSpan Timeout)
    : INoSerializationVerificationNeeded;

/// <summary>Reply to <see cref="SetMultiple"/>.</summary>
/// <param name="Succeeded">Keys whose shard acknowledged them.</param>
/// <param name="Failed">Each failed key with its error.</param>
public sealed record SetMultipleResult(IReadOnlyCollection<string> Succeeded, IReadOnlyDictionary<string, CacheError> Failed)
    : INoSerializationVerificationNeeded;

/// <summary>Ask every data node for its stats. Replies <see cref="ClusterStatsResult"/>.</summary>
public sealed record GetClusterStats(TimeSpan Timeout) : INoSerializationVerificationNeeded;

/// <summary>Reply to <see cref="GetClusterStats"/>.</summary>
/// <param name="Nodes">Stats of the nodes that answered.</param>
/// <param name="Unanswered">Addresses of the data nodes that did not answer in time.</param>
public sealed record ClusterStatsResult(IReadOnlyList<CacheStats> Nodes, IReadOnlyList<string> Unanswered)
    : INoSerializationVerificationNeeded;

/// <summary>Start a subscription that writes matching events to <see cref="Output"/>. Replies the subscriber's ref
/// once the local mediator acknowledged every topic.</summary>
public sealed record SubscribeEvents(CacheEventFilter Filter, ChannelWriter<DistributedCacheEvent> Output)
    : INoSerializationVerificationNeeded;
