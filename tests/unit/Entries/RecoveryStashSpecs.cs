using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Unit.Support;

namespace DistCacheAkka.Tests.Unit.Entries;

// A recovering primary (R = 3, the other two replicas are probes that answer its RequestShardCopy when the test says
// so). Verifies the bounded recovery stash: beyond distcache.recovery.max-stashed a command is refused at once with
// a retriable Unavailable; when a copy is still missing after distcache.recovery.timeout the stashed commands fail
// with Unavailable naming the shard and the silent node, the copy is requested again, and the primary still does not
// serve until it has it (an unanswered node may hold the only copy of acknowledged writes) or the node left.
public class RecoveryStashSpecs : TestKit
{
    private const string Self = ThreeReplicas.SelfNode;
    private const string B = ThreeReplicas.BNode;
    private const string C = ThreeReplicas.CNode;
    private const int Shard = 5;
    private readonly ThreeReplicas _replicas;
    private readonly TestProbe _b;
    private readonly TestProbe _c;
    private readonly TestProbe _local;
    private readonly ReplicaView _view;
    private readonly NodeContext _context;

    public RecoveryStashSpecs()
    {
        _replicas = new ThreeReplicas(this, """
            distcache.operation-timeout = 2s
            distcache.replication.anti-entropy-interval = 1h
            distcache.recovery.max-stashed = 3
            distcache.recovery.timeout = 2s
            """, new EventInterest());
        (_b, _c, _local, _view, _context) = (_replicas.B, _replicas.C, _replicas.Local, _replicas.View, _replicas.Context);
    }

    private string KeyOfShard(int index = 0) => _replicas.KeyOfShard(Shard, index);

    private static async Task AnswerCopyAsync(TestProbe probe, string node, params ReplicaEntry[] entries)
    {
        var request = await probe.ExpectMsgAsync<RequestShardCopy>();
        probe.Reply(new ShardCopy(Shard, request.RequestId, node, 1, 0, true, entries));
    }

    [Fact]
    public async Task Should_refuse_commands_beyond_max_stashed_with_a_retriable_error_and_serve_the_rest_after_recovery()
    {
        var entry = Sys.ActorOf(EntryActor.Props(Shard.ToString(), _context));
        await AnswerCopyAsync(_local, Self);
        await AnswerCopyAsync(_b, B);
        var toC = await _c.ExpectMsgAsync<RequestShardCopy>(); // C answers only later

        for (var i = 0; i < 4; i++)
            entry.Tell(new Get(KeyOfShard(i)));
        var refused = await ExpectMsgAsync<GetFailure>(TimeSpan.FromMilliseconds(1500)); // at once, not after the timeout
        _c.Send(entry, new ShardCopy(Shard, toC.RequestId, C, 1, 0, true, []));

        Assert.Equal(KeyOfShard(3), refused.Key);
        Assert.Equal(CacheErrorCode.Unavailable, refused.Error.Code);
        Assert.Contains($"Shard {Shard} is recovering", refused.Error.Message);
        Assert.Contains("distcache.recovery.max-stashed", refused.Error.Message);
        for (var i = 0; i < 3; i++)
            Assert.Equal(KeyOfShard(i), (await ExpectMsgAsync<NotFound>()).Key);
    }

    [Fact]
    public async Task Should_fail_stashed_commands_on_recovery_timeout_naming_the_shard_and_wait_for_the_missing_copy()
    {
        var key = KeyOfShard();
        var acknowledged = new ReplicaEntry(key, [42], new EntryVersion(1, 9), ExpiryKind.None, 0, 0, false);
        var entry = Sys.ActorOf(EntryActor.Props(Shard.ToString(), _context));
        await AnswerCopyAsync(_local, Self);
        await AnswerCopyAsync(_c, C);
        await _b.ExpectMsgAsync<RequestShardCopy>(); // B is slow: it holds the only copy of the key

        entry.Tell(new Set(KeyOfShard(1), [1], CacheExpiry.Never, ConsistencyLevel.Quorum));
        entry.Tell(new Get(key, ConsistencyLevel.Quorum));
        var setFailure = await ExpectMsgAsync<SetFailure>(TimeSpan.FromSeconds(5));
        var getFailure = await ExpectMsgAsync<GetFailure>();

        foreach (var error in new[] { setFailure.Error, getFailure.Error })
        {
            Assert.Equal(CacheErrorCode.Unavailable, error.Code);
            Assert.Contains($"Shard {Shard} could not finish recovery within 2000 ms", error.Message);
            Assert.Contains(B, error.Message);
            Assert.Equal(TimeSpan.FromSeconds(2), error.Timeout);
        }

        // Still recovering: the copy is requested again, and nothing is served from the partial copies meanwhile.
        var again = await _b.ExpectMsgAsync<RequestShardCopy>(TimeSpan.FromSeconds(3));
        entry.Tell(new Get(key));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        _b.Reply(new ShardCopy(Shard, again.RequestId, B, 1, 0, true, [acknowledged]));

        Assert.Equal(new byte[] { 42 }, (await ExpectMsgAsync<GetSuccess>()).Value);
    }

    [Fact]
    public async Task Should_stop_waiting_for_a_node_that_left_the_membership()
    {
        var entry = Sys.ActorOf(EntryActor.Props(Shard.ToString(), _context));
        await AnswerCopyAsync(_local, Self);
        await AnswerCopyAsync(_c, C);
        await _b.ExpectMsgAsync<RequestShardCopy>(); // B never answers
        entry.Tell(new Get(KeyOfShard()));

        _view.SetMembers([Self, C]); // B was downed and removed

        await ExpectMsgAsync<NotFound>(TimeSpan.FromMilliseconds(1800)); // before the recovery timeout (2 s); membership is checked every 500 ms
    }
}
