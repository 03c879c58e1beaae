from .questionnaire import (  # noqa: F401
    AnswerItem,
    Invitation,
    OpenParticipation,
    Question,
    Questionnaire,
    Response,
    Sample,
)
from .secretary import (  # noqa: F401
    AreaMeeting,
    Milestone,
    ProgressReport,
    ResponsibilityItem,
    ReviewCriterion,
    ReviewReport,
    ReviewRound,
    ReviewScore,
    SecretaryProfile,
    SecretaryProject,
)
from .training import (  # noqa: F401
    BankItem,
    PaperItem,
    QuestionBank,
    TestAnswer,
    TestAttempt,
    TestPaper,
    TrainingRecord,
)
from .welfare import (  # noqa: F401
    Donation,
    MarketStall,
    WelfareMarket,
    WelfareMilestone,
    WelfareProject,
    WelfareRound,
)
