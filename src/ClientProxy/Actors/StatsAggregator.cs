using Akka.Actor;
using Akka.Cluster;
using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Actors;

/// <summary>Asks every Up data node for its <see cref="CacheStats"/> and replies with what arrived within the timeout.</summary>
internal sealed class StatsAggregator : ReceiveActor
{
    private readonly IActorRef _replyTo;
    private readonly List<CacheStats> _answers = [];
    private readonly List<string> _unanswered = [];
    private int _outstanding;

    public StatsAggregator(IActorRef replyTo, string dataRole, TimeSpan timeout)
    {
        _replyTo = replyTo;
        var members = Akka.Cluster.Cluster.Get(Context.System).State.Members
            .Where(m => m.Status == MemberStatus.Up && m.HasRole(dataRole))
            .Select(m => m.Address)
            .ToList();
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

    public static Props Props(IActorRef replyTo, string dataRole, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new StatsAggregator(replyTo, dataRole, timeout));

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
