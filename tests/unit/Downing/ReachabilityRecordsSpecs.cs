using System.Reflection;
using Akka.Actor;
using Akka.Cluster;
using DistCacheAkka.CacheNode.Cluster;

namespace DistCacheAkka.Tests.Unit.Downing;

// The downing actor reads Akka's reachability table (internal types of Akka.Cluster) by reflection. These specs build
// a real table and event through Akka's own (internal) API, so an Akka upgrade that changes their shape fails here
// instead of silently degrading downing to plain keep-majority.
public class ReachabilityRecordsSpecs
{
    private static readonly Assembly AkkaCluster = typeof(Akka.Cluster.Cluster).Assembly;
    private static readonly UniqueAddress A = new(new Address("akka.tcp", "distcache", "127.0.0.1", 1), 1);
    private static readonly UniqueAddress B = new(new Address("akka.tcp", "distcache", "127.0.0.1", 2), 2);
    private static readonly UniqueAddress C = new(new Address("akka.tcp", "distcache", "127.0.0.1", 3), 3);

    private static object Table(params (string Verdict, UniqueAddress Observer, UniqueAddress Subject)[] records)
    {
        var type = AkkaCluster.GetType("Akka.Cluster.Reachability", throwOnError: true)!;
        var table = type.GetField("Empty", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        foreach (var (verdict, observer, subject) in records)
            table = type.GetMethod(verdict, [typeof(UniqueAddress), typeof(UniqueAddress)])!.Invoke(table, [observer, subject])!;
        return table;
    }

    private static object Changed(object table)
    {
        var type = AkkaCluster.GetType("Akka.Cluster.ClusterEvent+ReachabilityChanged", throwOnError: true)!;
        return Activator.CreateInstance(type, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, null, [table], null)!;
    }

    [Fact]
    public void Should_read_the_unreachable_and_terminated_verdicts_of_a_ReachabilityChanged_event()
    {
        var changed = Changed(Table(("Unreachable", B, A), ("Unreachable", A, B), ("Terminated", C, B), ("Unreachable", C, A), ("Reachable", C, A)));

        Assert.True(ReachabilityRecords.IsReachabilityChanged(changed));
        Assert.True(ReachabilityRecords.TryRead(changed, out var verdicts));
        Assert.Equal(3, verdicts.Count);
        Assert.Equal([(A, B), (B, A), (C, B)], verdicts.ToHashSet());
    }

    [Fact]
    public void Should_not_take_other_cluster_events_for_a_reachability_change()
    {
        var up = new ClusterEvent.LeaderChanged(A.Address);

        Assert.False(ReachabilityRecords.IsReachabilityChanged(up));
        Assert.False(ReachabilityRecords.TryRead(up, out var verdicts));
        Assert.Empty(verdicts);
    }
}
