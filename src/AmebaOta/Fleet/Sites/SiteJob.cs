using System.Net;
using AmebaOta.Fleet.History;
using AmebaOta.Families;

namespace AmebaOta.Fleet.Sites;

/// <summary>Where a job is. <see cref="Succeeded"/>, <see cref="Failed"/> and <see cref="Cancelled"/> are final.</summary>
public enum JobState
{
    /// <summary>Waiting for its site's agent.</summary>
    Queued,
    /// <summary>An agent holds its lease and is sending.</summary>
    Running,
    /// <summary>Its agent died or stopped mid-update (not the image's fault): another agent of the site, or the same one restarted, takes it over.</summary>
    Interrupted,
    /// <summary>Sent (and seen back after its reboot, when waited for).</summary>
    Succeeded,
    /// <summary>Every attempt failed, or the board did not come back.</summary>
    Failed,
    /// <summary>Cancelled before it ended (a stop, an emergency stop).</summary>
    Cancelled,
}

/// <summary>The names the database uses for job states.</summary>
public static class JobStates
{
    /// <summary><c>queued</c>, <c>running</c>, <c>interrupted</c>, <c>succeeded</c>, <c>failed</c>, <c>cancelled</c>.</summary>
    public static string Name(this JobState state) => state.ToString().ToLowerInvariant();

    /// <summary>The state named <paramref name="name"/> (unknown names read as queued).</summary>
    public static JobState Parse(string name) => name switch
    {
        "running" => JobState.Running,
        "interrupted" => JobState.Interrupted,
        "succeeded" => JobState.Succeeded,
        "failed" => JobState.Failed,
        "cancelled" => JobState.Cancelled,
        _ => JobState.Queued,
    };

    /// <summary>True for succeeded, failed and cancelled.</summary>
    public static bool IsFinal(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}

/// <summary>One board to update at a site: what a coordinator (a CLI, a dashboard) asks its site's agent to do.</summary>
/// <param name="Site">The site whose agent does it.</param>
/// <param name="Target">The board (its name and last known address).</param>
/// <param name="Family">The board's family.</param>
public sealed record JobRequest(string Site, FleetTarget Target, string Family = BoardFamilies.DefaultId);

/// <summary>A job as the database holds it.</summary>
public sealed record SiteJob(
    long Id, string Site, FleetTarget Target, string Family, string ImageSha256, long? RolloutId, string Batch, string Command, FleetOptions Options,
    JobState State, string? Detail, long BytesSent, long Length, int Attempt, int Runs, bool CancelRequested, string? LeaseOwner, long? UploadId,
    string? Error, double? RebootMs, string RequestedBy, bool LeaseExpired)
{
    /// <summary>As a coordinator sees it: a running job whose lease ran out is interrupted (its agent stopped answering).</summary>
    public JobState Seen => State == JobState.Running && LeaseExpired ? JobState.Interrupted : State;
}

/// <summary>A job an agent has just claimed; <see cref="TakenOverFrom"/> names the agent that held it before and died.</summary>
public sealed record ClaimedJob(SiteJob Job, string? TakenOverFrom);

/// <summary>A board already has an open job: a board is never updated by two workers at once.</summary>
public sealed class BoardBusyException(string board, long job, string requestedBy)
    : Exception($"{board} is already being updated (job {job}, asked for by {requestedBy}): wait for it to end, or stop it")
{
    /// <summary>The busy board.</summary>
    public string Board { get; } = board;
}

/// <summary>A site agent as it shows itself in the database.</summary>
public sealed record AgentRecord(string Name, string Site, string Host, int Pid, string? Version, string? Interface, DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt, DateTimeOffset? StoppedAt, int Boards, int JobsRunning, bool Alive);

/// <summary>A site: its agents, its boards and its work.</summary>
public sealed record SiteSummary(string Name, int AgentsAlive, int Agents, int Boards, int BoardsOnline, int OpenJobs, DateTimeOffset? LastHeartbeat);
