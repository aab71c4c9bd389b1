using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Settings;
using DistCacheAkka.Tests.Unit.Support;

namespace DistCacheAkka.Tests.Unit.Replication;

// The sending side of replica batches: one link per destination keeps the order of what this node sends it, cuts
// batches by size, and routes each reply back to the actor that sent the message it answers; batches never answered
// are forgotten after a bound.
public class ReplicaLinksSpecs : TestKit
{
    private readonly NodeMetrics _metrics = new();
    private readonly ManualTimeProvider _time = new();
    private readonly ReplicaBatchRegistry _registry;
    private readonly TestProbe _nodeA;
    private readonly TestProbe _nodeB;
    private readonly BatchingReplicaTransport _transport;

    public ReplicaLinksSpecs()
    {
        _registry = new ReplicaBatchRegistry(_time);
        _nodeA = CreateTestProbe();
        _nodeB = CreateTestProbe();
        var replies = Sys.ActorOf(ReplicaRepliesActor.Props(_registry, TimeSpan.FromSeconds(30)));
        var nodes = new Dictionary<string, IActorRef> { ["a"] = _nodeA.Ref, ["b"] = _nodeB.Ref };
        _transport = new BatchingReplicaTransport(node => nodes[node], _registry, replies, _metrics);
    }

    private static ReplicateEntries Write(int shard, long id, int valueBytes = 1) =>
        new(shard, id, "p", [new ReplicaEntry($"k{id}", new byte[valueBytes], new EntryVersion(1, id), ExpiryKind.None, 0, 0, false)]);

    private static async Task<List<ReplicaBatch>> ReceiveBatchesAsync(TestProbe node, int messages)
    {
        var batches = new List<ReplicaBatch>();
        while (batches.Sum(b => b.Messages.Count) < messages)
            batches.Add(await node.ExpectMsgAsync<ReplicaBatch>(TimeSpan.FromSeconds(10)));
        return batches;
    }

    [Fact]
    public async Task Should_deliver_each_destinations_messages_in_the_order_sent_and_count_the_batches()
    {
        var sender = CreateTestProbe().Ref;
        for (var i = 1; i <= 2_000; i++)
            _transport.Send(i % 3 == 0 ? "b" : "a", Write(i % 16, i), sender);

        var toA = await ReceiveBatchesAsync(_nodeA, 2_000 - (2_000 / 3));
        var toB = await ReceiveBatchesAsync(_nodeB, 2_000 / 3);

        Assert.Equal(Enumerable.Range(1, 2_000).Where(i => i % 3 != 0).Select(i => (long)i),
            toA.SelectMany(b => b.Messages).Select(m => ((ReplicateEntries)m).BatchId));
        Assert.Equal(Enumerable.Range(1, 2_000).Where(i => i % 3 == 0).Select(i => (long)i),
            toB.SelectMany(b => b.Messages).Select(m => ((ReplicateEntries)m).BatchId));
        Assert.Equal(toA.Count + toB.Count, Interlocked.Read(ref _metrics.ReplicaBatchesSent));
        Assert.Equal(2_000, Interlocked.Read(ref _metrics.ReplicaMessagesBatched));
        Assert.Equal(toA.Count + toB.Count, toA.Concat(toB).Select(b => b.Seq).Distinct().Count());
    }

    [Fact]
    public async Task Should_cut_batches_by_size_and_send_a_larger_message_alone()
    {
        var sender = CreateTestProbe().Ref;
        for (var i = 1; i <= 20; i++)
            _transport.Send("a", Write(1, i, valueBytes: 60_000), sender);
        _transport.Send("a", Write(1, 21, valueBytes: 600_000), sender);

        var batches = await ReceiveBatchesAsync(_nodeA, 21);

        Assert.Equal(Enumerable.Range(1, 21).Select(i => (long)i), batches.SelectMany(b => b.Messages).Select(m => ((ReplicateEntries)m).BatchId));
        Assert.All(batches, b => Assert.True(b.Messages.Count == 1 || b.Messages.Sum(ReplicaSizes.Of) <= BatchingReplicaTransport.BatchBytes,
            $"a batch of {b.Messages.Count} messages is {b.Messages.Sum(ReplicaSizes.Of):N0} bytes"));
        Assert.Single(Assert.Single(batches, b => b.Messages.Any(m => ((ReplicateEntries)m).BatchId == 21)).Messages);
    }

    [Fact]
    public async Task Should_hand_each_reply_to_the_sender_of_the_message_it_answers()
    {
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        _transport.Send("a", Write(1, 1), first.Ref);
        _transport.Send("a", Write(2, 2), second.Ref);
        _transport.Send("a", new ReadReplicaKeys(1, 3, ["k1"]), first.Ref);
        var batches = await ReceiveBatchesAsync(_nodeA, 3);
        var indexed = batches.SelectMany(b => b.Messages.Select((m, i) => (Batch: b.Seq, Index: i, Message: m))).ToList();

        // Answer in two parts per batch, the acks first, as a replicator cutting a large reply would.
        foreach (var batch in batches)
        {
            var mine = indexed.Where(x => x.Batch == batch.Seq).ToList();
            _nodeA.Reply(new ReplicaBatchReply(batch.Seq, false, mine.Where(x => x.Message is ReplicateEntries)
                .Select(x => new ReplicaReply(x.Index, new ReplicateAck(x.Message.ShardId, ((ReplicateEntries)x.Message).BatchId, "a"))).ToList()));
            _nodeA.Reply(new ReplicaBatchReply(batch.Seq, true, mine.Where(x => x.Message is ReadReplicaKeys)
                .Select(x => new ReplicaReply(x.Index, new ReplicaKeysRead(1, 3, "a", []))).ToList()));
        }

        Assert.Equal(1, (await first.ExpectMsgAsync<ReplicateAck>()).BatchId);
        Assert.Equal(3, (await first.ExpectMsgAsync<ReplicaKeysRead>()).RequestId);
        Assert.Equal(2, (await second.ExpectMsgAsync<ReplicateAck>()).BatchId);
        await AwaitConditionAsync(() => Task.FromResult(_registry.Count == 0), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Should_forget_unanswered_batches_after_the_bound_and_ignore_their_late_replies()
    {
        var sender = CreateTestProbe();
        _transport.Send("b", Write(1, 1), sender.Ref);
        var batch = Assert.Single(await ReceiveBatchesAsync(_nodeB, 1));
        Assert.Equal(1, _registry.Count);

        Assert.Equal(0, _registry.Sweep(TimeSpan.FromSeconds(30)));
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, _registry.Sweep(TimeSpan.FromSeconds(30)));
        _nodeB.Reply(new ReplicaBatchReply(batch.Seq, true, [new ReplicaReply(0, new ReplicateAck(1, 1, "b"))]));

        await sender.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, _registry.Count);
    }

    [Fact]
    public async Task Should_carry_writes_to_a_real_replicator_and_bring_its_acks_back()
    {
        var settings = DistCacheSettings.Create(DistCacheConfig.WithReference("distcache.shards = 16"));
        var context = new NodeContext(settings, new ShardResolver(16), new NodeMetrics(), EventInterest.All(), CreateTestProbe().Ref,
            TimeProvider.System, new ReplicaView("c", 150, 2), new ProbeTransport(new Dictionary<string, IActorRef>()));
        var replicator = Sys.ActorOf(ReplicatorActor.Props(context));
        var replies = Sys.ActorOf(ReplicaRepliesActor.Props(_registry, TimeSpan.FromSeconds(30)));
        var transport = new BatchingReplicaTransport(_ => replicator, _registry, replies, _metrics);
        var primaries = Enumerable.Range(0, 4).Select(_ => CreateTestProbe()).ToArray();

        for (var i = 1; i <= 400; i++)
            transport.Send("c", Write(i % 4, i), primaries[i % 4].Ref);
        transport.Send("c", new ReadReplicaKeys(2, 999, ["k2", "k6", "missing"]), primaries[2].Ref);

        foreach (var (probe, index) in primaries.Select((p, i) => (p, i)))
        {
            var acks = new List<long>();
            for (var n = 0; n < 100; n++)
                acks.Add((await probe.ExpectMsgAsync<ReplicateAck>(TimeSpan.FromSeconds(10))).BatchId);
            Assert.Equal(Enumerable.Range(1, 400).Where(i => i % 4 == index).Select(i => (long)i), acks);
        }

        var read = await primaries[2].ExpectMsgAsync<ReplicaKeysRead>();
        Assert.Equal(["k2", "k6"], read.Entries.Select(e => e.Key).Order());
    }

    [Fact]
    public async Task Should_keep_a_link_working_after_a_batch_fails_to_send()
    {
        var node = CreateTestProbe();
        var failingOnce = new FailingOnceRef(node.Ref);
        var transport = new BatchingReplicaTransport(_ => failingOnce, _registry, TestActor, _metrics);
        var sender = CreateTestProbe().Ref;

        transport.Send("a", Write(1, 1), sender);
        await AwaitConditionAsync(() => Task.FromResult(failingOnce.Calls >= 1), TimeSpan.FromSeconds(5));
        transport.Send("a", Write(1, 2), sender);

        var batch = await node.ExpectMsgAsync<ReplicaBatch>();
        Assert.Equal(2, ((ReplicateEntries)Assert.Single(batch.Messages)).BatchId);
    }

    /// <summary>A destination whose first Tell throws (as a bug in sending would), then forwards.</summary>
    private sealed class FailingOnceRef(IActorRef forward) : MinimalActorRef
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public override ActorPath Path { get; } = new RootActorPath(new Address("akka", "test")) / "failing";

        public override IActorRefProvider Provider => throw new NotSupportedException();

        protected override void TellInternal(object message, IActorRef sender)
        {
            if (Interlocked.Increment(ref _calls) == 1)
                throw new InvalidOperationException("the first send fails");
            forward.Tell(message, sender);
        }
    }
}
