using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Akka.Util;
using DistCacheAkka.ClientProxy.Reads;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.Tests.Unit.Client;

// Client-side reads through failure detection. First the pure rules (how many backup answers a level needs, newest
// version wins, tombstones and expired entries read as missing), then one BackupReadActor with probes as the region
// proxy and as the backups' replicators: it reads the backups when the shard's primary is unreachable, forwards to
// the region (with the caller as sender) when the primary is reachable, and fails with the counts when backups are
// silent.
public class BackupReadSpecs : TestKit
{
    private const string P = "akka.tcp://distcache@127.0.0.1:1";
    private const string B = "akka.tcp://distcache@127.0.0.1:2";
    private const string C = "akka.tcp://distcache@127.0.0.1:3";
    private readonly ShardResolver _resolver = new(16);
    private readonly TestProbe _region;
    private readonly Dictionary<string, TestProbe> _replicas;
    private readonly ShardLocations _locations = new();

    public BackupReadSpecs()
    {
        _region = CreateTestProbe("region");
        _replicas = new Dictionary<string, TestProbe> { [P] = CreateTestProbe("p"), [B] = CreateTestProbe("b"), [C] = CreateTestProbe("c") };
    }

    private static ReplicaEntry Entry(string key, byte value, long sequence, bool tombstone = false, long deadline = 0) =>
        new(key, tombstone ? [] : [value], new EntryVersion(1, sequence), ExpiryKind.None, 0, deadline, tombstone);

    private IActorRef Start(object command, int shard, IReadOnlyList<string> keys, ConsistencyLevel level, DataNodeView view) =>
        Sys.ActorOf(BackupReadActor.Props(new BackupRead(command, shard, keys, level), _region.Ref, TestActor, view, _locations,
            (node, request, replyTo) => _replicas[node].Ref.Tell(request, replyTo), TimeSpan.FromMilliseconds(800)));

    private static DataNodeView View(int replicationFactor, params string[] unreachable)
    {
        var view = new DataNodeView(150, replicationFactor);
        view.Update([P, B, C], unreachable);
        return view;
    }

    private async Task LocateAsync(int shard, string at)
    {
        var locate = await _region.ExpectMsgAsync<GetEntityLocation>();
        Assert.Equal(shard.ToString(), locate.EntityId);
        _region.Reply(new EntityLocation(locate.EntityId, locate.EntityId, Akka.Actor.Address.Parse(at), Option<IActorRef>.None));
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

        await LocateAsync(shard, P);
        var read = await _replicas[backup].ExpectMsgAsync<ReadReplicaKeys>();
        _replicas[backup].Reply(new ReplicaKeysRead(shard, read.RequestId, backup, [Entry(key, 7, 3)]));

        var got = await ExpectMsgAsync<GetSuccess>();
        Assert.Equal(new byte[] { 7 }, got.Value);
        await _replicas[P].ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // nothing goes to the unreachable primary
    }

    [Fact]
    public async Task Should_locate_a_shard_once_per_view_version()
    {
        var view = View(2, P);
        var key = "user:45";
        var shard = _resolver.ShardOf(key);
        var backup = Assert.Single(view.BackupsFor(shard, P));
        for (var i = 0; i < 2; i++)
        {
            Start(new Get(key, ConsistencyLevel.Eventual), shard, [key], ConsistencyLevel.Eventual, view);
            if (i == 0)
                await LocateAsync(shard, P);
            var read = await _replicas[backup].ExpectMsgAsync<ReadReplicaKeys>();
            _replicas[backup].Reply(new ReplicaKeysRead(shard, read.RequestId, backup, []));
            await ExpectMsgAsync<NotFound>();
        }

        await _region.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // the second read knew where the shard lives
    }

    [Fact]
    public async Task Should_wait_for_both_backups_at_Quorum_with_three_replicas_and_take_the_newest()
    {
        var view = View(3, P);
        var key = "user:43";
        var shard = _resolver.ShardOf(key);
        Start(new Get(key, ConsistencyLevel.Quorum), shard, [key], ConsistencyLevel.Quorum, view);
        await LocateAsync(shard, P);

        var fromB = await _replicas[B].ExpectMsgAsync<ReadReplicaKeys>();
        var fromC = await _replicas[C].ExpectMsgAsync<ReadReplicaKeys>();
        _replicas[B].Reply(new ReplicaKeysRead(shard, fromB.RequestId, B, [Entry(key, 1, 1)]));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(150)); // one of the two required answers
        _replicas[C].Reply(new ReplicaKeysRead(shard, fromC.RequestId, C, [Entry(key, 2, 2)]));

        Assert.Equal(new byte[] { 2 }, (await ExpectMsgAsync<GetSuccess>()).Value);
    }

    [Fact]
    public async Task Should_forward_to_the_region_with_the_callers_sender_when_the_primary_is_reachable()
    {
        var view = View(2, C); // some node is unreachable, but not this shard's primary
        var get = new Get("user:44", ConsistencyLevel.Eventual);
        var shard = _resolver.ShardOf(get.Key);
        Start(get, shard, [get.Key], ConsistencyLevel.Eventual, view);

        await LocateAsync(shard, P);

        Assert.Equal(get, await _region.ExpectMsgAsync<Get>());
        Assert.Equal(TestActor, _region.LastSender);
    }

    [Fact]
    public async Task Should_fail_with_the_counts_when_the_backups_are_silent()
    {
        var view = View(3, P);
        var many = new GetMany(5, ["x", "y"], ConsistencyLevel.Quorum);
        Start(many, 5, many.Keys, ConsistencyLevel.Quorum, view);
        await LocateAsync(5, P);
        var fromB = await _replicas[B].ExpectMsgAsync<ReadReplicaKeys>();
        _replicas[B].Reply(new ReplicaKeysRead(5, fromB.RequestId, B, []));

        var failure = await ExpectMsgAsync<GetManyFailure>(TimeSpan.FromSeconds(3));
        Assert.Equal(CacheErrorCode.ConsistencyNotMet, failure.Error.Code);
        Assert.Equal((1, 2), (failure.Error.AcksReceived, failure.Error.AcksRequired));
        Assert.Contains($"its primary {P} is unreachable", failure.Error.Message);
    }
}
