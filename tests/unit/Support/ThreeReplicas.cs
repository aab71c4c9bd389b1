using Akka.Actor;
using Akka.TestKit;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.Tests.Unit.Support;

/// <summary>
/// The node context of a primary in actor tests with R = 3 and 16 shards: this node and two others are the data
/// nodes, and each node's ReplicatorActor is a probe (<see cref="Local"/>, <see cref="B"/>, <see cref="C"/>).
/// </summary>
internal sealed class ThreeReplicas
{
    public const string SelfNode = "akka.tcp://distcache@127.0.0.1:1";
    public const string BNode = "akka.tcp://distcache@127.0.0.1:2";
    public const string CNode = "akka.tcp://distcache@127.0.0.1:3";

    public ThreeReplicas(TestKitBase kit, string hocon, EventInterest interest)
    {
        Local = kit.CreateTestProbe("local");
        B = kit.CreateTestProbe("b");
        C = kit.CreateTestProbe("c");
        Events = kit.CreateTestProbe("events");
        var settings = DistCacheSettings.Create(DistCacheConfig.WithReference("distcache.shards = 16\ndistcache.replication-factor = 3\n" + hocon));
        View = new ReplicaView(SelfNode, 150, 3);
        View.SetMembers([SelfNode, BNode, CNode]);
        Context = new NodeContext(settings, new ShardResolver(16), new NodeMetrics(), interest, Events.Ref, TimeProvider.System, View,
            new ProbeTransport(new Dictionary<string, IActorRef> { [SelfNode] = Local.Ref, [BNode] = B.Ref, [CNode] = C.Ref }));
    }

    public TestProbe Local { get; }

    public TestProbe B { get; }

    public TestProbe C { get; }

    public TestProbe Events { get; }

    public ReplicaView View { get; }

    public NodeContext Context { get; }

    /// <summary>Starts the primary of <paramref name="shard"/> on <paramref name="context"/> (this node's context when
    /// null), lets every node answer its recovery request with an empty copy, and takes the digests the primary sends
    /// its backups right after recovery (restoring the replication factor).</summary>
    public async Task<IActorRef> StartPrimaryAsync(TestKitBase kit, int shard, NodeContext? context = null)
    {
        var entry = kit.Sys.ActorOf(EntryActor.Props(shard.ToString(), context ?? Context));
        foreach (var (probe, name) in new[] { (Local, SelfNode), (B, BNode), (C, CNode) })
        {
            var request = await probe.ExpectMsgAsync<RequestShardCopy>();
            probe.Reply(new ShardCopy(shard, request.RequestId, name, 0, 0, true, []));
        }

        await B.ExpectMsgAsync<ShardDigest>();
        await C.ExpectMsgAsync<ShardDigest>();
        return entry;
    }

    /// <summary>A key of <paramref name="shard"/> (the <paramref name="index"/>-th of the keys k0, k1, ...).</summary>
    public string KeyOfShard(int shard, int index = 0) =>
        Enumerable.Range(0, 10_000).Select(i => $"k{i}").Where(k => Context.Resolver.ShardOf(k) == shard).Skip(index).First();

    /// <summary>This node's context with one more node, <paramref name="node"/>, reachable through <paramref name="probe"/>.</summary>
    public NodeContext WithNode(string node, IActorRef probe) => Context with
    {
        Transport = new ProbeTransport(new Dictionary<string, IActorRef>
        {
            [SelfNode] = Local.Ref, [BNode] = B.Ref, [CNode] = C.Ref, [node] = probe,
        }),
    };
}
