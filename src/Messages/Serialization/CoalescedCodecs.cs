using System.Runtime.Serialization;
using static DistCacheAkka.Messages.Serialization.WireFields;

namespace DistCacheAkka.Messages.Serialization;

/// <summary>
/// Wire codecs of the coalesced envelopes: many callers' commands to one node in one message, and their replies.
/// Under load they carry most single-key traffic. WIRE INVARIANT: append-only (see <see cref="CacheProtocolSerializer"/>).
/// </summary>
/// <remarks>
/// <code>
/// CQ  CoalescedRequests   Timeout TimeSpan, Commands list&lt;Cmd&gt;
/// CR  CoalescedReplies    Replies list&lt;Reply&gt;
/// </code>
/// Cmd = Id nat long, Kind (one byte: 0 Get, 1 Set, 2 Remove, 3 GetMany, 4 SetMany, 5 NearGet), then that message's
/// fields exactly as in its own layout. Reply = Id nat long, Kind (one byte: 0 GetSuccess, 1 NotFound, 2 GetFailure,
/// 3 SetSuccess, 4 SetFailure, 5 RemoveSuccess, 6 RemoveFailure, 7 GetManySuccess, 8 GetManyFailure,
/// 9 SetManySuccess, 10 SetManyFailure, 11 NearGetSuccess), then that message's fields. Kinds are append-only like the manifests; any
/// other message inside a coalesced envelope is refused on both sides.
/// </remarks>
internal static class CoalescedCodecs
{
    // Kinds of the messages nested in coalesced envelopes (WIRE INVARIANT, append-only): a kind is the index of its
    // message here.
    private static readonly MessageCodec[] CommandKinds =
        Kinds(typeof(Get), typeof(Set), typeof(Remove), typeof(GetMany), typeof(SetMany), typeof(NearGet));

    private static readonly MessageCodec[] ReplyKinds = Kinds(
        typeof(GetSuccess), typeof(NotFound), typeof(GetFailure), typeof(SetSuccess), typeof(SetFailure),
        typeof(RemoveSuccess), typeof(RemoveFailure), typeof(GetManySuccess), typeof(GetManyFailure),
        typeof(SetManySuccess), typeof(SetManyFailure), typeof(NearGetSuccess));

    // Cmd = id (1) + kind (1) + the smallest command, a NearGet with an empty key (1);
    // Reply = id (1) + kind (1) + the smallest reply, a NotFound with an empty key (1).
    private const int MinCorrelatedCommandBytes = 3;
    private const int MinCorrelatedReplyBytes = 3;

    public static readonly MessageCodec[] All =
    [
        MessageCodec.Of<CoalescedRequests>("CQ",
            static (ref WireWriter w, CoalescedRequests m) =>
            {
                w.WriteTimeSpan(m.Timeout);
                WriteCorrelatedCommands(ref w, m.Commands);
            },
            static (ref WireReader r) => new CoalescedRequests(r.ReadTimeSpan(), ReadCorrelatedCommands(ref r))),

        MessageCodec.Of<CoalescedReplies>("CR",
            static (ref WireWriter w, CoalescedReplies m) => WriteCorrelatedReplies(ref w, m.Replies),
            static (ref WireReader r) => new CoalescedReplies(ReadCorrelatedReplies(ref r))),
    ];

    private static MessageCodec[] Kinds(params Type[] types) =>
        types.Select(type => KeyCommandCodecs.All.Concat(BatchCodecs.All).Concat(NearCacheCodecs.All).Single(codec => codec.Type == type)).ToArray();

    private static void WriteCorrelatedCommands(ref WireWriter w, IReadOnlyList<CorrelatedCommand>? commands)
    {
        const string field = "CoalescedRequests.Commands";
        if (commands is null)
            WireWriter.ThrowNullField(field);
        var count = commands.Count;
        w.WriteCount(count);
        for (var i = 0; i < count; i++)
        {
            var item = commands[i] ?? throw NullElement(field, i);
            w.WriteNonNegativeVarInt64(item.Id, field);
            WriteNested(ref w, CommandKinds, item.Command, field, i);
        }
    }

    private static CorrelatedCommand[] ReadCorrelatedCommands(ref WireReader r)
    {
        var count = r.ReadCount(MinCorrelatedCommandBytes);
        if (count == 0)
            return [];
        var commands = new CorrelatedCommand[count];
        for (var i = 0; i < commands.Length; i++)
        {
            var id = r.ReadNonNegativeVarInt64("CorrelatedCommand.Id");
            var codec = CommandKinds[r.ReadEnum((byte)(CommandKinds.Length - 1), "CoalescedCommandKind")];
            commands[i] = new CorrelatedCommand(id, codec.Read(ref r));
        }
        return commands;
    }

    private static void WriteCorrelatedReplies(ref WireWriter w, IReadOnlyList<CorrelatedReply>? replies)
    {
        const string field = "CoalescedReplies.Replies";
        if (replies is null)
            WireWriter.ThrowNullField(field);
        var count = replies.Count;
        w.WriteCount(count);
        for (var i = 0; i < count; i++)
        {
            var item = replies[i] ?? throw NullElement(field, i);
            w.WriteNonNegativeVarInt64(item.Id, field);
            WriteNested(ref w, ReplyKinds, item.Reply, field, i);
        }
    }

    private static CorrelatedReply[] ReadCorrelatedReplies(ref WireReader r)
    {
        var count = r.ReadCount(MinCorrelatedReplyBytes);
        if (count == 0)
            return [];
        var replies = new CorrelatedReply[count];
        for (var i = 0; i < replies.Length; i++)
        {
            var id = r.ReadNonNegativeVarInt64("CorrelatedReply.Id");
            var codec = ReplyKinds[r.ReadEnum((byte)(ReplyKinds.Length - 1), "CoalescedReplyKind")];
            replies[i] = new CorrelatedReply(id, codec.Read(ref r));
        }
        return replies;
    }

    /// <summary>Writes a nested message's kind, then its fields; refuses a message that has no kind here.</summary>
    private static void WriteNested(ref WireWriter w, MessageCodec[] kinds, ICacheMessage? message, string field, int index)
    {
        if (!TryWriteNested(ref w, kinds, message))
            throw NotNestable(field, index, message);
    }

    private static SerializationException NotNestable(string field, int index, object? message) => message is null
        ? NullElement(field, index)
        : new($"Field {field}[{index}] is a {message.GetType().Name}; a coalesced envelope carries only commands " +
              "(Get, Set, Remove, GetMany, SetMany, NearGet) and their replies.");
}
