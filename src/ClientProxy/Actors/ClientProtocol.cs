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

/// <summary>Asks the ClientProxy for its picture of the cluster. Replies <see cref="ClientTopologySnapshot"/>.</summary>
public sealed record GetClientTopology : INoSerializationVerificationNeeded
{
    /// <summary>The one instance.</summary>
    public static readonly GetClientTopology Instance = new();
}

/// <summary>The client's picture of the cluster, merged from the data nodes' reports and its own failure detection.</summary>
/// <param name="DataNodes">Addresses of the data nodes (Up or Leaving), ordered.</param>
/// <param name="Unreachable">Those of them that are unreachable (as a node reports, or lost by this client).</param>
/// <param name="Owners">Shard id → address of the node whose EntryActor for it runs, for the shards some node reports.</param>
public sealed record ClientTopologySnapshot(
    IReadOnlyList<string> DataNodes, IReadOnlySet<string> Unreachable, IReadOnlyDictionary<int, string> Owners)
    : INoSerializationVerificationNeeded;
