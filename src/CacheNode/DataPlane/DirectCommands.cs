using System.Diagnostics;
using Akka.Actor;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Telemetry;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.DataPlane;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.CacheNode.DataPlane;

/// <summary>
/// The direct path of one data-plane connection (<c>distcache.data-plane.direct</c>): the read loop tells each command
/// whose shard runs on this node straight to its EntryActor (<see cref="LocalShards"/>) as a <see cref="Routed"/>
/// command, with the connection's ref as sender, and the EntryActors' <see cref="RoutedReply"/>s are gathered here
/// and leave as one <see cref="CoalescedReplies"/> frame per turn of the connection's write loop: a reply that finds
/// no frame waiting queues one, and every reply that arrives before the write loop gets to it joins that frame. No
/// gateway turn either way, no timer; the request gateway keeps every other command (shards elsewhere or moving,
/// stats). Replies carry their command's id end to end, as on the gateway's path.
/// <para>A command whose EntryActor stopped without answering (it moved away meanwhile) gets no reply: after the
/// envelope's timeout <see cref="Expire"/> forgets it and its client's own timeout reports it, as on the gateway's
/// path. Each command is measured from its arrival to its reply (or to giving up on it) in
/// <see cref="NodeTelemetry"/>.</para>
/// </summary>
internal sealed class DirectCommands(Func<IGatheredMessage, bool> queueFrame, NodeTelemetry telemetry) : IGatheredMessage
{
    /// <summary>As on the gateway: at most this many replies per frame.</summary>
    public const int MaxRepliesPerFrame = 256;

    private readonly object _gate = new();
    private readonly Dictionary<long, Pending> _pending = new();
    private List<CorrelatedReply> _ready = new();
    private bool _frameQueued;
    private long _lastId;

    /// <summary>Commands told to EntryActors and not answered yet.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
                return _pending.Count;
        }
    }

    /// <summary>
    /// Tells the commands of <paramref name="requests"/> whose shard runs here to their EntryActors (replies to
    /// <paramref name="replyTo"/>, the connection's ref, which hands them to <see cref="Complete"/>); returns the rest,
    /// for the gateway (null: none left, or <paramref name="requests"/> itself: none local).
    /// </summary>
    public CoalescedRequests? Route(CoalescedRequests requests, LocalShards local, ShardResolver resolver, IActorRef replyTo, TimeSpan maxTimeout)
    {
        var started = Stopwatch.GetTimestamp();
        var timeout = requests.Timeout > TimeSpan.Zero && requests.Timeout < maxTimeout ? requests.Timeout : maxTimeout;
        var deadline = started + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        List<CorrelatedCommand>? rest = null;
        for (var i = 0; i < requests.Commands.Count; i++)
        {
            var command = requests.Commands[i];
            if (!local.TryGet(LocalShards.ShardOf(resolver, command.Command), out var entry))
            {
                (rest ??= new List<CorrelatedCommand>(requests.Commands.Count - i)).Add(command);
                continue;
            }

            long routedId;
            lock (_gate)
            {
                routedId = ++_lastId;
                _pending[routedId] = new Pending(command.Id, command.Command, started, deadline);
            }

            entry.Tell(new Routed(routedId, command.Command), replyTo);
        }

        if (rest is null)
            return null;
        return rest.Count == requests.Commands.Count ? requests : new CoalescedRequests(requests.Timeout, rest);
    }

    /// <summary>An EntryActor's answer (on its thread): gathered for the next frame; an answer that is not a reply
    /// (a failure) gets none, like a lost message.</summary>
    public void Complete(RoutedReply reply)
    {
        Pending pending;
        var queue = false;
        var message = reply.Reply as ICacheMessage;
        lock (_gate)
        {
            if (!_pending.Remove(reply.Id, out pending))
                return; // expired meanwhile
            if (message is not null)
            {
                _ready.Add(new CorrelatedReply(pending.ClientId, message));
                queue = !_frameQueued;
                _frameQueued = true;
            }
        }

        telemetry.RecordRequest(pending.Command, message, pending.Started);
        if (queue)
            queueFrame(this);
    }

    /// <summary>Called on the connection's write loop: the gathered replies (up to <see cref="MaxRepliesPerFrame"/>;
    /// the rest queue the next frame).</summary>
    public ICacheMessage? Take()
    {
        List<CorrelatedReply> replies;
        var more = false;
        lock (_gate)
        {
            if (_ready.Count == 0)
            {
                _frameQueued = false;
                return null;
            }

            if (_ready.Count <= MaxRepliesPerFrame)
            {
                replies = _ready;
                _ready = new List<CorrelatedReply>();
                _frameQueued = false;
            }
            else
            {
                replies = _ready.GetRange(0, MaxRepliesPerFrame);
                _ready.RemoveRange(0, MaxRepliesPerFrame);
                more = true; // _frameQueued stays set: the frame queued below takes the rest
            }
        }

        if (more)
            queueFrame(this);
        return new CoalescedReplies(replies);
    }

    /// <summary>Forgets the commands whose envelope's timeout passed (their EntryActor stopped without answering);
    /// returns how many.</summary>
    public int Expire(long now)
    {
        List<Pending>? expired = null;
        lock (_gate)
        {
            foreach (var (id, pending) in _pending)
            {
                if (pending.Deadline < now)
                {
                    _pending.Remove(id);
                    (expired ??= []).Add(pending);
                }
            }
        }

        if (expired is null)
            return 0;
        foreach (var pending in expired)
            telemetry.RecordRequest(pending.Command, null, pending.Started);
        return expired.Count;
    }

    private readonly record struct Pending(long ClientId, ICacheMessage Command, long Started, long Deadline);
}
