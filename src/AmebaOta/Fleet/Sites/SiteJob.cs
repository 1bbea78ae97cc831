using System.Net;
using AmebaOta.Fleet.History;
using AmebaOta.Families;

namespace AmebaOta.Fleet.Sites;

/// <summary>Where a job is. <see cref="Succeeded"/>, <see cref="Failed"/>, <see cref="Cancelled"/> and <see cref="NeedsReset"/> are final.</summary>
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
    /// <summary>
    /// Taken over after an earlier transfer to the board was cut (its agent died or stopped mid-update), and the board did not
    /// accept a connection again: a stock board waits for a reset. Not the image's fault; a rollout does not count it as a failure.
    /// </summary>
    NeedsReset,
}

/// <summary>The names the database uses for job states.</summary>
public static class JobStates
{
    /// <summary><c>queued</c>, <c>running</c>, <c>interrupted</c>, <c>succeeded</c>, <c>failed</c>, <c>cancelled</c>, <c>needs-reset</c>.</summary>
    public static string Name(this JobState state) => state == JobState.NeedsReset ? "needs-reset" : state.ToString().ToLowerInvariant();

    /// <summary>The state named <paramref name="name"/> (unknown names read as queued).</summary>
    public static JobState Parse(string name) => name switch
    {
        "running" => JobState.Running,
        "interrupted" => JobState.Interrupted,
        "succeeded" => JobState.Succeeded,
        "failed" => JobState.Failed,
        "cancelled" => JobState.Cancelled,
        "needs-reset" => JobState.NeedsReset,
        _ => JobState.Queued,
    };

    /// <summary>True for succeeded, failed, cancelled and needs-reset.</summary>
    public static bool IsFinal(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled or JobState.NeedsReset;
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
/// <param name="Job">The job.</param>
/// <param name="TakenOverFrom">The agent that held it before (it died or stopped), or null.</param>
/// <param name="WasCut">An earlier upload of this job was under way when its agent went: the board's transfer was cut (reset), and a
/// stock board may not listen again until it is reset.</param>
public sealed record ClaimedJob(SiteJob Job, string? TakenOverFrom, bool WasCut = false);

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

/// <summary>A board as its site's agent recorded it.</summary>
/// <param name="Name">Its mDNS instance name.</param>
/// <param name="EndPoint">Its OTA address and port as the site sees it, when known.</param>
/// <param name="Site">The site whose agent saw it last.</param>
/// <param name="Family">Its family.</param>
/// <param name="LastSeen">When the agent saw it last.</param>
/// <param name="Age">How long ago that is, by the database's clock.</param>
public sealed record SiteBoard(string Name, IPEndPoint? EndPoint, string Site, string Family, DateTimeOffset? LastSeen, TimeSpan? Age);

/// <summary>Work already open on a board that a new start would conflict with.</summary>
/// <param name="Board">The board.</param>
/// <param name="Job">True for an open job (being updated now, or queued for its agent); false for a live rollout that has yet to do it.</param>
/// <param name="Work">Which work, and who asked for it: <c>job 42, asked for by alice with dashboard</c>, <c>rollout 7, asked for by bob: pending there</c>.</param>
public sealed record WorkConflict(string Board, bool Job, string Work)
{
    /// <inheritdoc />
    public override string ToString() => Job ? $"{Board} is already being updated ({Work})" : $"{Board} is in another rollout ({Work})";
}

/// <summary>How far an agent is with a job: what the uploader does (<c>connecting</c>, <c>board-erasing</c>, <c>sending</c>,
/// <c>rebooting</c>, <c>retrying</c>), bytes the board acknowledged, the attempt, the last attempt's error.</summary>
public sealed record JobProgress(SiteJob Job, string Detail, long Bytes, int Attempt, string? Error);
