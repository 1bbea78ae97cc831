namespace AmebaOta.Protocol.OtaUi;

/// <summary>
/// The states an OTA UI board reports in its heartbeat (<c>OtaState[]</c> of the AmebaD and AmebaPro2 <c>OTA</c>
/// libraries, docs/reference section 11.2), in the libraries' order.
/// </summary>
public enum OtaUiState : byte
{
    /// <summary><c>OTA_STATE_IDLE</c>: running, listening for <c>start_ota</c>.</summary>
    Idle = 0,
    /// <summary><c>OTA_STATE_RECEIVED_START_SIGNAL</c>: declared by both libraries and never sent by either.</summary>
    ReceivedStartSignal = 1,
    /// <summary><c>OTA_STATE_DOWNLOAD_FIRMWARE_IN_PROGRESS</c>: the update task is downloading and writing.</summary>
    DownloadFirmwareInProgress = 2,
    /// <summary><c>OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED</c>: the update task returned, successfully or not; after a failure
    /// the board stays here (and ignores triggers) until it is reset.</summary>
    DownloadFirmwareCompleted = 3,
    /// <summary><c>OTA_STATE_REBOOT</c>: the update succeeded and the board is resetting.</summary>
    Reboot = 4,
}

/// <summary>The names of <see cref="OtaUiState"/> values exactly as boards send them.</summary>
public static class OtaUiStates
{
    private static readonly string[] Names =
    [
        "OTA_STATE_IDLE",
        "OTA_STATE_RECEIVED_START_SIGNAL",
        "OTA_STATE_DOWNLOAD_FIRMWARE_IN_PROGRESS",
        "OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED",
        "OTA_STATE_REBOOT",
    ];

    /// <summary>Every state, in the libraries' order.</summary>
    public static IReadOnlyList<OtaUiState> All { get; } = Enum.GetValues<OtaUiState>();

    /// <summary><c>OTA_STATE_IDLE</c>, … as the heartbeat spells it.</summary>
    public static string Name(OtaUiState state) => (int)state < Names.Length ? Names[(int)state] : $"OTA_STATE_{(int)state}";

    /// <summary>The state a board's name stands for (exact, case-sensitive, as the stock UI compares them); false for anything else.</summary>
    public static bool TryParse(string? name, out OtaUiState state)
    {
        int index = name is null ? -1 : Array.IndexOf(Names, name);
        state = index < 0 ? default : (OtaUiState)index;
        return index >= 0;
    }
}
