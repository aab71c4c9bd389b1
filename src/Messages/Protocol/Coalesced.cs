namespace DistCacheAkka.Messages;

/// <summary>One command of a <see cref="CoalescedRequests"/>, tagged with the client's correlation id: a single-key
/// command (<see cref="Get"/>, <see cref="Set"/>, <see cref="Remove"/>) or a shard's part of a batch
/// (<see cref="GetMany"/>, <see cref="SetMany"/>).</summary>
public sealed record CorrelatedCommand(long Id, ICacheMessage Command);

/// <summary>
/// Commands of many concurrent callers whose shards live on one node, coalesced by the ClientProxy into
/// one remote message to that node's request gateway. The gateway hands every command to its local shard region
/// (which forwards it if the shard has moved) and answers with <see cref="CoalescedReplies"/> as the replies come
/// in: exactly one reply per command within <see cref="Timeout"/>, none after it (the caller's own timeout fires).
/// </summary>
public sealed record CoalescedRequests(TimeSpan Timeout, IReadOnlyList<CorrelatedCommand> Commands) : ICacheMessage;

/// <summary>The reply to one <see cref="CorrelatedCommand"/>: an <see cref="IGetResponse"/>, <see cref="ISetResponse"/>,
/// <see cref="IRemoveResponse"/>, <see cref="IGetManyResponse"/> or <see cref="ISetManyResponse"/> for the command
/// with the same <see cref="Id"/>.</summary>
public sealed record CorrelatedReply(long Id, ICacheMessage Reply);

/// <summary>Replies to commands of one or more <see cref="CoalescedRequests"/>, gathered by the node's gateway.</summary>
public sealed record CoalescedReplies(IReadOnlyList<CorrelatedReply> Replies) : ICacheMessage;
