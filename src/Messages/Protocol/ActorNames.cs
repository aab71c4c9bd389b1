namespace DistCacheAkka.Messages;

/// <summary>Well-known actor names on data nodes that clients address by path.</summary>
public static class ActorNames
{
    /// <summary>The ActorSystem name of every data node (and of the client systems DistCacheClient starts).</summary>
    public const string SystemName = "distcache";

    /// <summary>Per-node stats actor: answers <see cref="GetCacheStats"/>.</summary>
    public const string Stats = "distcache-stats";

    public static string StatsPath(Akka.Actor.Address node) => $"{node}/user/{Stats}";

    /// <summary>Per-node replicator: keeps the node's backup copies and answers <see cref="ReadReplicaKeys"/>
    /// (clients use it to read backups while a shard's primary is unreachable).</summary>
    public const string Replicator = "distcache-replicator";

    /// <summary>The replicator's path on the node whose address is <paramref name="node"/> (Address.ToString()).</summary>
    public static string ReplicatorPath(string node) => $"{node}/user/{Replicator}";

    /// <summary>Per-node receiver of the replies to the replica batches the node sends (internal to the nodes).</summary>
    public const string ReplicaReplies = "distcache-replica-replies";

    /// <summary>Per-node request gateway: answers <see cref="CoalescedRequests"/> with <see cref="CoalescedReplies"/>.</summary>
    public const string Gateway = "distcache-gateway";

    public static string GatewayPath(Akka.Actor.Address node) => $"{node}/user/{Gateway}";

    /// <summary>The gateway's path on the node whose address is <paramref name="node"/> (Address.ToString()).</summary>
    public static string GatewayPath(string node) => $"{node}/user/{Gateway}";

    /// <summary>Per-node client registry: answers <see cref="RegisterClient"/> with <see cref="NodeTopology"/> updates
    /// and relays events to clients (<see cref="SubscribeClientEvents"/>).</summary>
    public const string ClientRegistry = "distcache-clients";

    /// <summary>Per-node near-cache invalidation feed; clients subscribe through the client registry
    /// (<see cref="SubscribeInvalidations"/>) and receive <see cref="NearCacheFeed"/> messages from it.</summary>
    public const string NearCacheFeed = "distcache-nearcache";

    public static string ClientRegistryPath(Akka.Actor.Address node) => $"{node}/user/{ClientRegistry}";

    /// <summary>The client registry's path on the node whose address is <paramref name="node"/> (Address.ToString()).</summary>
    public static string ClientRegistryPath(string node) => $"{node}/user/{ClientRegistry}";

    /// <summary>Per-node event publisher: local actors tell it the cluster events to publish.</summary>
    public const string Events = "distcache-events";

    /// <summary>Per-node shard warm-up: starts every shard once membership is stable, and the shards of a rebalance round.</summary>
    public const string Warmup = "distcache-warmup";

    /// <summary>Per-node cluster event subscriber (failover, rebalancing, the replica view).</summary>
    public const string ClusterEvents = "distcache-cluster-events";

    /// <summary>The local path of a node actor named <paramref name="name"/> (for an ActorSelection within the node).</summary>
    public static string LocalPath(string name) => $"/user/{name}";

    /// <summary>The path of a node actor named <paramref name="name"/> on the node whose address is <paramref name="node"/>.</summary>
    public static string PathOn(string node, string name) => $"{node}/user/{name}";
}
