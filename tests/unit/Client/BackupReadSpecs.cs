using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using DistCacheAkka.ClientProxy.Reads;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.Tests.Unit.Client;

// Client-side reads through failure detection. First the pure rules (how many backup answers a level needs, newest
// version wins, tombstones and expired entries read as missing), then which reads BackupReads takes over (only those
// of a shard whose owner, as the topology reports it, is unreachable), then one BackupReadActor with probes as the
// backups' replicators: it reads the backups and fails with the counts when they are silent.
public class BackupReadSpecs : TestKit
{
    private const string P = "akka.tcp://distcache@127.0.0.1:1";
    private const string B = "akka.tcp://distcache@127.0.0.1:2";
    private const string C = "akka.tcp://distcache@127.0.0.1:3";
    private readonly ShardResolver _resolver = new(16);
    private readonly Dictionary<string, TestProbe> _replicas;

    public BackupReadSpecs()
    {
        _replicas = new Dictionary<string, TestProbe> { [P] = CreateTestProbe("p"), [B] = CreateTestProbe("b"), [C] = CreateTestProbe("c") };
    }

    private static ReplicaEntry Entry(string key, byte value, long sequence, bool tombstone = false, long deadline = 0) =>
        new(key, tombstone ? [] : [value], new EntryVersion(1, sequence), ExpiryKind.None, 0, deadline, tombstone);

    private IActorRef Start(object command, int shard, IReadOnlyList<string> keys, ConsistencyLevel level, DataNodeView view) =>
        Sys.ActorOf(BackupReadActor.Props(new BackupRead(command, shard, keys, level), P, TestActor, view,
            (node, request, replyTo) => _replicas[node].Ref.Tell(request, replyTo), TimeSpan.FromMilliseconds(800)));

    private static DataNodeView View(int replicationFactor, params string[] unreachable)
    {
        var view = new DataNodeView(150, replicationFactor);
        view.Update([P, B, C], unreachable);
        return view;
    }

    [Fact]
    public void Should_need_one_backup_for_Eventual_enough_for_a_Quorum_intersection_and_never_serve_Strong()
    {
        Assert.Equal(1, BackupReadRules.RequiredAnswers(ConsistencyLevel.Eventual, 3));
        Assert.Equal(1, BackupReadRules.RequiredAnswers(ConsistencyLevel.Quorum, 2)); // W = 2: the backup has every Quorum write
        Assert.Equal(2, BackupReadRules.RequiredAnswers(ConsistencyLevel.Quorum, 3)); // W = 2: 2 backups meet any 2 of 3
        Assert.Equal(2, BackupReadRules.RequiredAnswers(ConsistencyLevel.Quorum, 4)); // W = 3
        Assert.Null(BackupReadRules.RequiredAnswers(ConsistencyLevel.Strong, 2));
    }

    [Fact]
    public void Should_answer_the_newest_version_and_read_tombstones_and_expired_entries_as_missing()
    {
        var now = DateTimeOffset.UtcNow;
        var newest = BackupReadRules.Newest([
            [Entry("a", 1, 5), Entry("b", 1, 1), Entry("c", 1, 1)],
            [Entry("a", 2, 4), Entry("b", 0, 2, tombstone: true), Entry("c", 3, 2, deadline: now.UtcTicks - 1)],
        ]);

        var reply = (GetManySuccess)BackupReadRules.Answer(new GetMany(3, ["a", "b", "c", "d"]), newest, now);

        Assert.Equal(["a"], reply.Found.Select(f => f.Key));
        Assert.Equal(new byte[] { 1 }, reply.Found[0].Value);
        Assert.Equal(["b", "c", "d"], reply.Missing);
    }

    [Fact]
    public async Task Should_read_a_Quorum_Get_from_the_backup_while_the_primary_is_unreachable()
    {
        var view = View(2, P);
        var key = "user:42";
        var shard = _resolver.ShardOf(key);
        var backup = Assert.Single(view.BackupsFor(shard, P));
        Start(new Get(key, ConsistencyLevel.Quorum), shard, [key], ConsistencyLevel.Quorum, view);

        var read = await _replicas[backup].ExpectMsgAsync<ReadReplicaKeys>();
        _replicas[backup].Reply(new ReplicaKeysRead(shard, read.RequestId, backup, [Entry(key, 7, 3)]));

        var got = await ExpectMsgAsync<GetSuccess>();
        Assert.Equal(new byte[] { 7 }, got.Value);
        await _replicas[P].ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // nothing goes to the unreachable primary
    }

    [Fact]
    public async Task Should_wait_for_both_backups_at_Quorum_with_three_replicas_and_take_the_newest()
    {
        var view = View(3, P);
        var key = "user:43";
        var shard = _resolver.ShardOf(key);
        Start(new Get(key, ConsistencyLevel.Quorum), shard, [key], ConsistencyLevel.Quorum, view);

        var fromB = await _replicas[B].ExpectMsgAsync<ReadReplicaKeys>();
        var fromC = await _replicas[C].ExpectMsgAsync<ReadReplicaKeys>();
        _replicas[B].Reply(new ReplicaKeysRead(shard, fromB.RequestId, B, [Entry(key, 1, 1)]));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(150)); // one of the two required answers
        _replicas[C].Reply(new ReplicaKeysRead(shard, fromC.RequestId, C, [Entry(key, 2, 2)]));

        Assert.Equal(new byte[] { 2 }, (await ExpectMsgAsync<GetSuccess>()).Value);
    }

    [Fact]
    public void Should_take_over_only_reads_of_a_shard_whose_owner_is_unreachable()
    {
        var view = View(2, C); // C is unreachable
        var owners = new Dictionary<int, string>();
        var reads = new BackupReads(view, shard => owners.GetValueOrDefault(shard), DistCacheAkka.Messages.Settings.DistCacheSettings.Default, _resolver,
            (node, request, replyTo) => _replicas[node].Ref.Tell(request, replyTo));
        var get = new Get("user:44", ConsistencyLevel.Eventual);
        var shard = _resolver.ShardOf(get.Key);
        var router = Sys.ActorOf(Props.Create(() => new Router(reads)));
        bool Routes(object command) => router.Ask<bool>(command, TimeSpan.FromSeconds(3)).GetAwaiter().GetResult();

        Assert.False(Routes(get)); // owner unknown: the ordinary path
        owners[shard] = P;
        Assert.False(Routes(get)); // owner reachable
        owners[shard] = C;
        Assert.False(Routes(new Get(get.Key, ConsistencyLevel.Strong))); // Strong never reads backups
        Assert.False(Routes(new Set(get.Key, [1], CacheExpiry.Never, ConsistencyLevel.Eventual)));
        Assert.True(Routes(get));
    }

    /// <summary>Answers whether BackupReads took each message over (it needs an actor context to start a read).</summary>
    private sealed class Router : ReceiveActor
    {
        public Router(BackupReads reads) => ReceiveAny(message => Sender.Tell(reads.TryRoute(message, ActorRefs.Nobody, Context)));
    }

    [Fact]
    public async Task Should_fail_with_the_counts_when_the_backups_are_silent()
    {
        var view = View(3, P);
        var many = new GetMany(5, ["x", "y"], ConsistencyLevel.Quorum);
        Start(many, 5, many.Keys, ConsistencyLevel.Quorum, view);
        var fromB = await _replicas[B].ExpectMsgAsync<ReadReplicaKeys>();
        _replicas[B].Reply(new ReplicaKeysRead(5, fromB.RequestId, B, []));

        var failure = await ExpectMsgAsync<GetManyFailure>(TimeSpan.FromSeconds(3));
        Assert.Equal(CacheErrorCode.ConsistencyNotMet, failure.Error.Code);
        Assert.Equal((1, 2), (failure.Error.AcksReceived, failure.Error.AcksRequired));
        Assert.Contains($"its primary {P} is unreachable", failure.Error.Message);
    }
}
