namespace DistCacheAkka.Messages;

// The client session protocol of data path v2. A client is not a cluster member: it talks to every data node's
// client registry (/user/distcache-clients) and gateway over plain Akka remoting. Registrations and event
// subscriptions are leases the client renews, never DeathWatch from a node to a client: a node that watched a
// client would quarantine it after a long GC pause, and a quarantined client could never talk to that node again.

/// <summary>
/// A client's registration with a node's client registry, sent again as a lease renewal at least every
/// <see cref="LeaseRenewal"/>. The registry answers at once with its current <see cref="NodeTopology"/> and sends a
/// new one to the sender whenever its view changes, until the lease runs out (<see cref="LeaseExpiry"/>).
/// </summary>
public sealed record RegisterClient : ICacheMessage
{
    public static readonly RegisterClient Instance = new();

    /// <summary>How often a client renews its registrations and event subscriptions.</summary>
    public static readonly TimeSpan LeaseRenewal = TimeSpan.FromSeconds(5);

    /// <summary>A registration or subscription not renewed for this long is dropped by the node.</summary>
    public static readonly TimeSpan LeaseExpiry = TimeSpan.FromSeconds(30);
}

/// <summary>
/// What one data node (<see cref="Reporter"/>, its address) sees: the data nodes that hold replicas (Up or Leaving,
/// the same members its replica view counts), those of them its failure detector marks unreachable, and the shards
/// whose EntryActor runs on the reporter itself. <see cref="Version"/> grows with every change of the reporter's view,
/// so a client keeps only the newest report of each node. A reporter is authoritative for its own shards only.
/// <see cref="DataPort"/> is the TCP port of the reporter's data plane (on the reporter's host), 0 when it has none.
/// </summary>
public sealed record NodeTopology(
    string Reporter, long Version, IReadOnlyList<string> DataNodes, IReadOnlyList<string> Unreachable, IReadOnlyList<int> LocalShards,
    int DataPort = 0)
    : ICacheMessage;

/// <summary>
/// Subscribes the sender (a client's event subscriber) to the events of <see cref="Kinds"/> through one node: the
/// node's relay answers <see cref="ClientEventsSubscribed"/> once its pub-sub subscriptions are acknowledged, then
/// forwards every event of those kinds. Sent again to the relay as a lease renewal.
/// </summary>
public sealed record SubscribeClientEvents(IReadOnlyList<CacheEventKind> Kinds) : ICacheMessage;

/// <summary>The relay's acknowledgement of a <see cref="SubscribeClientEvents"/> (its sender is the relay).</summary>
public sealed record ClientEventsSubscribed : ICacheMessage
{
    public static readonly ClientEventsSubscribed Instance = new();
}

/// <summary>Ends an event subscription: the relay unsubscribes and stops.</summary>
public sealed record UnsubscribeClientEvents : ICacheMessage
{
    public static readonly UnsubscribeClientEvents Instance = new();
}
