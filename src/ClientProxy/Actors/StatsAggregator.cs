using Akka.Actor;
using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Actors;

/// <summary>Asks every data node of the client's topology for its <see cref="CacheStats"/> and replies with what arrived
/// within the timeout.</summary>
internal sealed class StatsAggregator : ReceiveActor
{
    private readonly IActorRef _replyTo;
    private readonly List<CacheStats> _answers = [];
    private readonly List<string> _unanswered = [];
    private int _outstanding;

    public StatsAggregator(IActorRef replyTo, IReadOnlyList<string> dataNodes, TimeSpan timeout)
    {
        _replyTo = replyTo;
        var members = dataNodes.Select(Address.Parse).ToList();
        _outstanding = members.Count;
        Receive<NodeAnswer>(Handle);

        foreach (var address in members)
        {
            Context.ActorSelection(ActorNames.StatsPath(address))
                .Ask<CacheStats>(GetCacheStats.Instance, timeout)
                .ContinueWith(t => new NodeAnswer(address.ToString(), t.IsCompletedSuccessfully ? t.Result : null),
                    TaskContinuationOptions.ExecuteSynchronously)
                .PipeTo(Self);
        }

        if (_outstanding == 0)
            Finish();
    }

    public static Props Props(IActorRef replyTo, IReadOnlyList<string> dataNodes, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new StatsAggregator(replyTo, dataNodes, timeout));

    private void Handle(NodeAnswer answer)
    {
        if (answer.Stats is null)
            _unanswered.Add(answer.Node);
        else
            _answers.Add(answer.Stats);
        if (--_outstanding == 0)
            Finish();
    }

    private void Finish()
    {
        _replyTo.Tell(new ClusterStatsResult(_answers.OrderBy(s => s.Node, StringComparer.Ordinal).ToList(), _unanswered));
        Context.Stop(Self);
    }

    private sealed record NodeAnswer(string Node, CacheStats? Stats);
}
