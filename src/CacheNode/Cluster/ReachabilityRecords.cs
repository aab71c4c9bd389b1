using System.Collections;
using System.Reflection;
using Akka.Cluster;

namespace DistCacheAkka.CacheNode.Cluster;

/// <summary>
/// Reads who observes whom as unreachable from Akka's gossiped reachability table. Akka publishes the table to
/// cluster subscribers as <c>ClusterEvent.ReachabilityChanged</c>, but that event and the table are internal types
/// (Akka.Cluster 1.5.74), so their members are read by reflection, once per change of the table (rare: a failure
/// detector changing its mind). The shapes read here are pinned by <c>ReachabilityRecordsSpecs</c>: an Akka upgrade
/// that changes them fails that spec, and at run time <see cref="TryRead"/> returns false, and the downing actor
/// falls back to its own view (every unreachable member observed by itself: plain keep-majority).
/// </summary>
internal static class ReachabilityRecords
{
    private const BindingFlags Members = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance;

    /// <summary>Whether <paramref name="clusterEvent"/> is Akka's ReachabilityChanged (an internal type).</summary>
    public static bool IsReachabilityChanged(object clusterEvent) =>
        clusterEvent.GetType().FullName == "Akka.Cluster.ClusterEvent+ReachabilityChanged";

    /// <summary>The unreachable and terminated records of the table carried by a ReachabilityChanged event.</summary>
    public static bool TryRead(object reachabilityChanged, out IReadOnlyList<(UniqueAddress Observer, UniqueAddress Subject)> unreachable)
    {
        var found = new List<(UniqueAddress, UniqueAddress)>();
        unreachable = found;
        try
        {
            var table = reachabilityChanged.GetType().GetProperty("Reachability", Members)?.GetValue(reachabilityChanged);
            if (table?.GetType().GetProperty("Records", Members)?.GetValue(table) is not IEnumerable records)
                return false;
            foreach (var record in records)
            {
                var type = record.GetType();
                if (type.GetProperty("Observer", Members)?.GetValue(record) is not UniqueAddress observer
                    || type.GetProperty("Subject", Members)?.GetValue(record) is not UniqueAddress subject
                    || type.GetProperty("Status", Members)?.GetValue(record)?.ToString() is not { } status)
                    return false;
                if (status is "Unreachable" or "Terminated")
                    found.Add((observer, subject));
            }

            return true;
        }
        catch (Exception e) when (e is TargetException or TargetInvocationException or MemberAccessException or InvalidCastException)
        {
            return false;
        }
    }
}
