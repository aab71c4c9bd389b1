using Akka.Actor;
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

// The backup side: a ReplicatorActor applies replicated entries only when newer, so duplicated, reordered and stale
// messages change nothing; a tombstone blocks an older Set; digests expose exactly the buckets that differ; bucket
// replacement makes a copy equal to the primary's; shard copies are returned in chunks for recovery.
public class ReplicatorActorSpecs : TestKit
{
    private const string Self = "akka.tcp://distcache@127.0.0.1:2";
    private readonly NodeMetrics _metrics = new();
    private readonly IActorRef _replicator;

    public ReplicatorActorSpecs()
    {
        var settings = DistCacheSettings.Create(DistCacheConfig.WithReference("distcache.shards = 16"));
        var context = new NodeContext(settings, new ShardResolver(16), _metrics, EventInterest.All(), CreateTestProbe().Ref,
            TimeProvider.System, new ReplicaView(Self, 150, 2), new ProbeTransport(new Dictionary<string, IActorRef>()));
        _replicator = Sys.ActorOf(ReplicatorActor.Props(context));
    }

    private static ReplicaEntry Live(string key, long seq, byte value = 1) => new(key, [value], new EntryVersion(1, seq), ExpiryKind.None, 0, 0, false);

    private static ReplicaEntry Tombstone(string key, long seq) => new(key, [], new EntryVersion(1, seq), ExpiryKind.None, 0, 0, true);

    private async Task<IReadOnlyList<ReplicaEntry>> ReadAsync(params string[] keys)
    {
        _replicator.Tell(new ReadReplicaKeys(3, 99, keys));
        return (await ExpectMsgAsync<ReplicaKeysRead>()).Entries;
    }

    [Fact]
    public async Task Should_apply_newer_entries_and_ignore_duplicates_reordering_and_stale_ones()
    {
        _replicator.Tell(new ReplicateEntries(3, 1, "p", [Live("a", 5, 5)]));
        _replicator.Tell(new ReplicateEntries(3, 1, "p", [Live("a", 5, 5)]));   // duplicate
        _replicator.Tell(new ReplicateEntries(3, 2, "p", [Live("a", 3, 3)]));   // older, arrives late
        _replicator.Tell(new ReplicateEntries(3, 3, "p", [Live("a", 7, 7)]));   // newer
        _replicator.Tell(new ReplicateEntries(3, 4, "p", [Live("a", 6, 6)]));   // reordered older

        for (var batch = 1; batch <= 5; batch++)
            Assert.Equal("akka.tcp://distcache@127.0.0.1:2", (await ExpectMsgAsync<ReplicateAck>()).Replica);
        var entry = Assert.Single(await ReadAsync("a"));
        Assert.Equal(new byte[] { 7 }, entry.Value);
        Assert.Equal(7L, entry.Version.Sequence);
    }

    [Fact]
    public async Task Should_let_a_tombstone_block_an_older_set()
    {
        _replicator.Tell(new ReplicateEntries(3, 1, "p", [Tombstone("a", 10)]));
        _replicator.Tell(new ReplicateEntries(3, 2, "p", [Live("a", 9)]));
        await ExpectMsgAsync<ReplicateAck>();
        await ExpectMsgAsync<ReplicateAck>();

        Assert.True(Assert.Single(await ReadAsync("a")).IsTombstone);
        Assert.Equal(0, _metrics.Backups.Sum(c => c.Entries));
    }

    [Fact]
    public async Task Should_report_only_the_buckets_whose_digest_differs_and_converge_after_replacement()
    {
        var primary = new CacheNode.Storage.ShardStore(3, 1, TimeSpan.FromMinutes(1));
        foreach (var i in Enumerable.Range(0, 200))
            primary.Set($"key{i}", [(byte)i], CacheExpiry.Never, out _);
        var entries = primary.ExportAll().ToList();
        _replicator.Tell(new ReplicateEntries(3, 1, "p", entries.Skip(10).ToList())); // the backup missed 10 writes
        await ExpectMsgAsync<ReplicateAck>();

        _replicator.Tell(new ShardDigest(3, 7, "p", primary.BucketDigests(64)));
        var mismatch = await ExpectMsgAsync<DigestMismatch>();
        var expected = entries.Take(10).Select(e => CacheNode.Storage.ShardStore.BucketOf(KeyHasher.Hash(e.Key), 64)).Distinct().Order();
        Assert.Equal(expected, mismatch.Buckets.Order());

        _replicator.Tell(new ReplaceBuckets(3, 2, "p", 64, mismatch.Buckets, primary.ExportBuckets(64, mismatch.Buckets)));
        await ExpectMsgAsync<ReplicateAck>();
        _replicator.Tell(new ShardDigest(3, 8, "p", primary.BucketDigests(64)));
        Assert.Empty((await ExpectMsgAsync<DigestMismatch>()).Buckets);
    }

    [Fact]
    public async Task Should_send_its_copy_in_chunks_and_an_empty_last_chunk_when_it_has_none()
    {
        var big = Enumerable.Range(0, 40).Select(i => new ReplicaEntry($"big{i}", new byte[20_000], new EntryVersion(3, i + 1), ExpiryKind.None, 0, 0, false)).ToList();
        _replicator.Tell(new ReplicateEntries(4, 1, "p", big));
        await ExpectMsgAsync<ReplicateAck>();

        _replicator.Tell(new RequestShardCopy(4, 11, "q"));
        var chunks = new List<ShardCopy>();
        do
            chunks.Add(await ExpectMsgAsync<ShardCopy>());
        while (!chunks[^1].IsLast);
        _replicator.Tell(new RequestShardCopy(9, 12, "q"));
        var none = await ExpectMsgAsync<ShardCopy>();

        Assert.True(chunks.Count > 1);
        Assert.Equal(40, chunks.Sum(c => c.Entries.Count));
        Assert.All(chunks, c => Assert.Equal(3, c.MaxEpoch));
        Assert.True(none.IsLast);
        Assert.Empty(none.Entries);
    }

    [Fact]
    public async Task Should_handle_a_batch_in_order_and_answer_every_message_in_one_last_reply()
    {
        // Write, overwrite, remove, then read it back, all in one batch: order is kept and each reply names its message.
        _replicator.Tell(new ReplicaBatch(41,
        [
            new ReplicateEntries(3, 1, "p", [Live("a", 1, 1)]),
            new ShardMoved(3, "x", "p", 1), // answers nothing
            new ReplicateEntries(3, 2, "p", [Live("a", 2, 2)]),
            new ReplicateEntries(5, 3, "p", [Tombstone("b", 4)]),
            new ReadReplicaKeys(3, 98, ["a"]),
        ]));

        var reply = await ExpectMsgAsync<ReplicaBatchReply>();
        Assert.Equal(41, reply.Seq);
        Assert.True(reply.IsLast);
        Assert.Equal([0, 2, 3, 4], reply.Replies.Select(r => r.Index));
        Assert.Equal([1L, 2L, 3L], reply.Replies.Take(3).Select(r => ((ReplicateAck)r.Message).BatchId));
        var read = Assert.IsType<ReplicaKeysRead>(reply.Replies[3].Message);
        Assert.Equal(new byte[] { 2 }, Assert.Single(read.Entries).Value);
        _replicator.Tell(new ReadReplicaKeys(5, 99, ["b"])); // a direct message still gets a direct answer
        Assert.True(Assert.Single((await ExpectMsgAsync<ReplicaKeysRead>()).Entries).IsTombstone);
    }

    [Fact]
    public async Task Should_cut_a_batch_reply_by_size_and_mark_only_the_last_part()
    {
        var big = Enumerable.Range(0, 40).Select(i => new ReplicaEntry($"big{i}", new byte[20_000], new EntryVersion(3, i + 1), ExpiryKind.None, 0, 0, false)).ToList();
        _replicator.Tell(new ReplicaBatch(7, [new ReplicateEntries(4, 1, "p", big), new RequestShardCopy(4, 11, "q"), new ShardMoved(4, "x", "y", 1)]));

        var parts = new List<ReplicaBatchReply>();
        do
            parts.Add(await ExpectMsgAsync<ReplicaBatchReply>());
        while (!parts[^1].IsLast);

        Assert.True(parts.Count > 1, "800 KB of shard copy should not fit one 256 KB reply");
        Assert.All(parts, p => Assert.Equal(7, p.Seq));
        Assert.All(parts, p => Assert.True(p.Replies.Sum(r => ReplicaSizes.Of(r.Message)) <= BatchingReplicaTransport.BatchBytes || p.Replies.Count == 1));
        var replies = parts.SelectMany(p => p.Replies).ToList();
        Assert.Equal(0, replies[0].Index);
        Assert.IsType<ReplicateAck>(replies[0].Message);
        var copies = replies.Skip(1).Select(r => Assert.IsType<ShardCopy>(r.Message)).ToList();
        Assert.All(replies.Skip(1), r => Assert.Equal(1, r.Index));
        Assert.Equal(40, copies.Sum(c => c.Entries.Count));
        Assert.True(copies[^1].IsLast);
    }

    [Fact]
    public async Task Should_log_a_message_that_fails_and_keep_its_batch_and_its_backup_copies()
    {
        _replicator.Tell(new ReplicateEntries(6, 1, "p", [Live("kept", 1, 1)]));
        await ExpectMsgAsync<ReplicateAck>();

        // The middle message throws (no entries at all): logged, answered by nothing; the rest of the batch is answered
        // and the actor is not restarted (a restart would have dropped the backup copy of shard 6).
        await EventFilter.Error(contains: "ReplicateEntries for shard 6 failed").ExpectOneAsync(async () =>
        {
            _replicator.Tell(new ReplicaBatch(50,
            [
                new ReplicateEntries(6, 2, "p", [Live("a", 1, 2)]),
                new ReplicateEntries(6, 3, "p", null!),
                new ReadReplicaKeys(6, 97, ["kept", "a"]),
            ]));
            var reply = await ExpectMsgAsync<ReplicaBatchReply>();
            Assert.True(reply.IsLast);
            Assert.Equal([0, 2], reply.Replies.Select(r => r.Index));
            Assert.Equal(2, Assert.IsType<ReplicaKeysRead>(reply.Replies[1].Message).Entries.Count);
        });

        _replicator.Tell(new ReplicateEntries(6, 4, "p", null!)); // alone too: no restart
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        _replicator.Tell(new ReadReplicaKeys(6, 98, ["kept"]));
        Assert.Single((await ExpectMsgAsync<ReplicaKeysRead>()).Entries);
    }
}
