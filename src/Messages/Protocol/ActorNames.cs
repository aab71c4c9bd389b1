namespace DistCacheAkka.Messages;

/// <summary>Well-known actor names on data nodes that clients address by path.</summary>
public static class ActorNames
{
    /// <summary>The ActorSystem name of every member, data node or client.</summary>
    public const string SystemName = "distcache";

    /// <summary>Per-node stats actor: answers <see cref="GetCacheStats"/>.</summary>
    public const string Stats = "distcache-stats";

    public static string StatsPath(Akka.Actor.Address node) => $"{node}/user/{Stats}";

    /// <summary>Per-node request gateway: answers <see cref="CoalescedRequests"/> with <see cref="CoalescedReplies"/>.</summary>
    public const string Gateway = "distcache-gateway";

    public static string GatewayPath(Akka.Actor.Address node) => $"{node}/user/{Gateway}";
}
