from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.index, name="index"),
    # 1. questionnaires
    path("q/", views.questionnaire_list, name="questionnaires"),
    path("q/<int:pk>/", views.questionnaire_detail, name="questionnaire"),
    path("q/<int:pk>/questions/", views.question_add, name="question_add"),
    path("q/<int:pk>/questions/<int:qid>/", views.question_edit, name="question_edit"),
    path("q/<int:pk>/sample/", views.sample_draw, name="sample_draw"),
    path("q/<int:pk>/publish/", views.questionnaire_publish, name="publish"),
    path("q/<int:pk>/close/", views.questionnaire_close, name="close"),
    path("q/<int:pk>/resend/<int:inv>/", views.invitation_resend, name="resend"),
    path("q/<int:pk>/results/", views.results, name="results"),
    path("a/<str:token>/", views.answer, name="answer"),
    path("o/<str:key>/", views.answer_open, name="answer_open"),
    # 2. staff knowledge tests
    path("t/", views.training_index, name="training"),
    path("t/template.xlsx", views.bank_template, name="bank_template"),
    path("t/bank/<int:pk>/", views.bank_detail, name="bank"),
    path("t/bank/<int:pk>/paper/", views.paper_create, name="paper_create"),
    path("t/paper/<int:pk>/", views.paper_detail, name="paper"),
    path("t/paper/<int:pk>/sit/", views.paper_sit, name="paper_sit"),
    path("t/paper/<int:pk>/save/", views.paper_save, name="paper_save"),
    path("t/attempt/<int:pk>/", views.attempt_review, name="attempt_review"),
    path("t/records/", views.training_records, name="records"),
    # 3. secretaries
    path("s/", views.secretary_list, name="secretaries"),
    path("s/<int:pk>/", views.secretary_detail, name="secretary"),
    path("s/project/<int:pk>/", views.project_detail, name="project"),
    path("s/meetings/", views.meetings, name="meetings"),
    path("s/review/", views.review_list, name="reviews"),
    path("s/review/<int:pk>/", views.review_detail, name="review"),
    path("public/secretaries/", views.public_projects, name="public_projects"),
    # 4. public welfare
    path("w/", views.welfare_index, name="welfare"),
    path("w/<int:pk>/", views.welfare_round, name="welfare_round"),
    path("w/project/<int:pk>/", views.welfare_project, name="welfare_project"),
    path("w/donation/<int:pk>/receipt/", views.donation_receipt, name="receipt"),
    path("w/market/<int:pk>/", views.welfare_market, name="welfare_market"),
]
