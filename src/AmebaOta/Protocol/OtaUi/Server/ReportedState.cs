namespace AmebaOta.Protocol.OtaUi.Server;

/// <summary>What a heartbeat's <c>OTA_state</c> says, as the server and the judge read it.</summary>
public enum ReportedState
{
    /// <summary>A state this version does not know (a fork's <c>OTA_STATE_FAILED</c>, a typo): shown as sent, never acted on.</summary>
    Unknown,
    /// <summary><c>OTA_STATE_IDLE</c>: waiting for a trigger (the only state in which a trigger starts anything).</summary>
    Idle,
    /// <summary><c>OTA_STATE_RECEIVED_START_SIGNAL</c>: declared by the library, never sent by it.</summary>
    ReceivedStartSignal,
    /// <summary><c>OTA_STATE_DOWNLOAD_FIRMWARE_IN_PROGRESS</c>.</summary>
    DownloadInProgress,
    /// <summary><c>OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED</c>: set when the download ends, failed or not; a board still in it after the
    /// download failed stays there, ignoring triggers, until it is reset.</summary>
    DownloadCompleted,
    /// <summary><c>OTA_STATE_REBOOT</c>: set just before the reset after a good image (rarely seen: the reset follows at once).</summary>
    Reboot,
}

/// <summary>The wire names of <see cref="ReportedState"/>.</summary>
public static class ReportedStates
{
    /// <summary>The state a heartbeat's text names (<see cref="ReportedState.Unknown"/> for any other text).</summary>
    public static ReportedState Parse(string? text) => text switch
    {
        "OTA_STATE_IDLE" => ReportedState.Idle,
        "OTA_STATE_RECEIVED_START_SIGNAL" => ReportedState.ReceivedStartSignal,
        "OTA_STATE_DOWNLOAD_FIRMWARE_IN_PROGRESS" => ReportedState.DownloadInProgress,
        "OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED" => ReportedState.DownloadCompleted,
        "OTA_STATE_REBOOT" => ReportedState.Reboot,
        _ => ReportedState.Unknown,
    };

    /// <summary>Short words for tables: <c>idle</c>, <c>downloading</c>, <c>completed</c>, <c>rebooting</c>, …</summary>
    public static string Word(ReportedState state) => state switch
    {
        ReportedState.Idle => "idle",
        ReportedState.ReceivedStartSignal => "start signal",
        ReportedState.DownloadInProgress => "downloading",
        ReportedState.DownloadCompleted => "completed",
        ReportedState.Reboot => "rebooting",
        _ => "unknown",
    };
}
